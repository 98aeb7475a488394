// Scenarios for the shipped playbooks: who the subject is, what happens to them, and over how long.
import type { SimulatedEvent } from '../../src/simulate/simulate.js';

export interface Scenario {
  name: string;
  playbook: string;
  subject: Record<string, unknown>;
  events?: SimulatedEvent[];
  start?: string;
  days?: number;
}

const ada = {
  id: 'c-1',
  email: 'ada@example.com',
  first_name: 'Ada',
  timezone: 'Europe/Paris',
  tags: [],
  skills: ['go', 'postgres'],
  consent: { email: true, sms: false },
  birthday: '1992-02-29',
  owner: 'lea@acme.example',
};
const job = { id: 'j-1', title: 'Backend engineer', skills: ['go', 'postgres'], location: 'Paris' };
const at = (day: string, time = '10:00') => `${day}T${time}:00.000Z`;
const goMeetup = {
  id: '5d7c8a3e-2b1f-4c8e-9a6d-1e2f3a4b5c6d',
  name: 'go-meetup',
  title: 'Go meetup',
  kind: 'meetup',
  starts_at: at('2026-01-20', '17:00'),
  ends_at: at('2026-01-20', '19:00'),
  timezone: 'Europe/Paris',
  location: 'Acme office, Paris',
  url: null,
};
/** A candidate's answer to a recruiting event, as it arrives (`candidate.rsvp`). */
const rsvp = (
  day: string,
  meetup: Record<string, unknown>,
  answer: 'yes' | 'no',
  status: 'going' | 'declined',
) => ({
  at: at(day),
  type: 'candidate.rsvp',
  data: { recruiting_event: meetup, answer, status, promoted: false },
});
const rustWebinar = {
  ...goMeetup,
  id: '9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  name: 'rust-webinar',
  title: 'Rust webinar',
  kind: 'webinar',
  starts_at: at('2026-01-22', '16:00'),
  ends_at: at('2026-01-22', '17:00'),
  location: null,
  url: 'https://meet.example/rust',
};

export const SCENARIOS: Scenario[] = [
  {
    name: 'an applicant is thanked at once',
    playbook: 'engage-acknowledge-application',
    subject: ada,
    events: [
      { at: at('2026-01-05'), type: 'candidate.applied', data: { job: { title: 'Backend engineer' } } },
    ],
  },
  {
    name: 'an interview is confirmed, reminded the day before, and followed by thanks',
    playbook: 'engage-interview-logistics',
    subject: ada,
    events: [
      {
        at: at('2026-01-05'),
        type: 'candidate.interview_scheduled',
        data: { interview: { at: at('2026-01-12', '14:00'), location: 'Paris office' } },
      },
      { at: at('2026-01-12', '15:30'), type: 'candidate.interviewed' },
    ],
  },
  {
    name: 'a move to an interview stage is announced, then the booking confirmed',
    playbook: 'engage-interview-logistics',
    subject: ada,
    events: [
      {
        at: at('2026-01-05'),
        type: 'candidate.stage_changed',
        data: { stage: { name: 'Onsite interview', kind: 'interview' } },
      },
      {
        at: at('2026-01-07'),
        type: 'candidate.interview_scheduled',
        data: { interview: { at: at('2026-01-14', '10:00') } },
      },
      { at: at('2026-01-14', '11:30'), type: 'candidate.interviewed' },
    ],
  },
  {
    name: 'a move to a screen stage is no interview',
    playbook: 'engage-interview-logistics',
    subject: ada,
    events: [
      {
        at: at('2026-01-05'),
        type: 'candidate.stage_changed',
        data: { stage: { name: 'Recruiter screen', kind: 'screen' } },
      },
    ],
  },
  {
    name: 'an interview stage never booked becomes a task, then the journey ends',
    playbook: 'engage-interview-logistics',
    subject: ada,
    events: [
      {
        at: at('2026-01-05'),
        type: 'candidate.stage_changed',
        data: { stage: { name: 'Onsite interview', kind: 'interview' } },
      },
    ],
  },
  {
    name: 'a no-show interview becomes a task for the recruiter',
    playbook: 'engage-interview-logistics',
    subject: ada,
    events: [
      {
        at: at('2026-01-05'),
        type: 'candidate.interview_scheduled',
        data: { interview: { at: at('2026-01-12', '14:00') } },
      },
    ],
  },
  {
    name: 'a candidate who was not selected gets feedback',
    playbook: 'engage-not-selected',
    subject: ada,
    events: [
      {
        at: at('2026-01-05'),
        type: 'candidate.rejected',
        data: {
          furthest_stage: { name: 'Technical interview', kind: 'interview' },
          feedback: 'strong Go, less system design',
        },
      },
    ],
  },
  {
    name: 'an accepted offer is welcomed',
    playbook: 'engage-offer',
    subject: ada,
    events: [
      { at: at('2026-01-05'), type: 'candidate.offered', data: { job: { title: 'Backend engineer' } } },
      { at: at('2026-01-07'), type: 'candidate.hired' },
    ],
  },
  {
    name: 'an unanswered offer is followed up',
    playbook: 'engage-offer',
    subject: ada,
    events: [{ at: at('2026-01-05'), type: 'candidate.offered' }],
  },
  {
    name: 'a finalist is nurtured: advice, a check-in she answers, then quarterly news in her sending window',
    playbook: 'nurture-silver-medalists',
    subject: ada,
    events: [
      {
        at: at('2026-01-05'),
        type: 'candidate.rejected',
        data: {
          stage: { name: 'Rejected', kind: 'rejected' },
          furthest_stage: { name: 'Onsite interview', kind: 'interview' },
        },
      },
      { at: at('2026-04-08'), type: 'candidate.open_to_work' },
    ],
  },
  {
    name: 'a rejection after the screen is not a silver medalist',
    playbook: 'nurture-silver-medalists',
    subject: ada,
    events: [
      {
        at: at('2026-01-05'),
        type: 'candidate.rejected',
        data: { furthest_stage: { name: 'Recruiter screen', kind: 'screen' } },
      },
    ],
  },
  {
    name: 'a nurtured finalist who applies again leaves the journey',
    playbook: 'nurture-silver-medalists',
    subject: ada,
    events: [
      {
        at: at('2026-01-05'),
        type: 'candidate.rejected',
        data: { furthest_stage: { name: 'Offer', kind: 'offer' } },
      },
      { at: at('2026-03-01'), type: 'candidate.applied' },
    ],
  },
  {
    name: 'a passive candidate is asked twice a year and says yes the second time',
    playbook: 'nurture-open-to-work-checkins',
    subject: ada,
    events: [
      { at: at('2026-01-05'), type: 'candidate.not_looking' },
      { at: at('2026-12-03'), type: 'candidate.open_to_work' },
    ],
  },
  {
    name: 'company news every quarter for two years',
    playbook: 'nurture-company-updates',
    subject: ada,
    events: [{ at: at('2026-01-05'), type: 'candidate.sourced' }],
    days: 800,
  },
  {
    name: 'a leap-day birthday is wished on 28 February in other years, at 09:00 local time',
    playbook: 'nurture-birthdays',
    subject: ada,
    events: [{ at: at('2026-01-05'), type: 'candidate.sourced' }],
    days: 800,
  },
  {
    name: 'no birthday messages without consent',
    playbook: 'nurture-birthdays',
    subject: { ...ada, consent: { email: false } },
    events: [{ at: at('2026-01-05'), type: 'candidate.sourced' }],
  },
  {
    name: 'sourced talent is welcomed, and a click on our story becomes a task',
    playbook: 'attract-talent-community',
    subject: ada,
    events: [
      { at: at('2026-01-05'), type: 'candidate.sourced' },
      { at: at('2026-01-21'), type: 'candidate.clicked' },
    ],
  },
  {
    name: 'a campaign invites to a recruiting event',
    playbook: 'attract-event-invitation',
    subject: ada,
    start: at('2026-01-05', '07:00'),
    events: [
      {
        at: at('2026-01-05', '07:00'),
        type: 'campaign.enrolled',
        data: { campaign: { id: 'k-1', name: 'Go meetup invitations' }, recruiting_event: goMeetup },
      },
      rsvp('2026-01-06', goMeetup, 'yes', 'going'),
    ],
  },
  {
    name: 'a yes to a recruiting event is confirmed, and reminded the day before',
    playbook: 'attract-event-rsvp',
    subject: ada,
    events: [rsvp('2026-01-05', goMeetup, 'yes', 'going')],
  },
  {
    name: 'a yes, then a no, cancels the reminder',
    playbook: 'attract-event-rsvp',
    subject: ada,
    events: [rsvp('2026-01-05', goMeetup, 'yes', 'going'), rsvp('2026-01-12', goMeetup, 'no', 'declined')],
  },
  {
    name: 'answers to two events keep a reminder for each; a no to one cancels only its own',
    playbook: 'attract-event-rsvp',
    subject: ada,
    events: [
      rsvp('2026-01-05', goMeetup, 'yes', 'going'),
      rsvp('2026-01-06', rustWebinar, 'yes', 'going'),
      rsvp('2026-01-07', rustWebinar, 'no', 'declined'),
    ],
  },
  {
    name: 'an attendee is thanked the next morning, in their time zone',
    playbook: 'attract-event-follow-up',
    subject: ada,
    events: [{ at: at('2026-01-20', '22:00'), type: 'event.attended', data: { recruiting_event: goMeetup } }],
  },
  {
    name: 'a no-show hears that we missed them',
    playbook: 'attract-event-follow-up',
    subject: ada,
    events: [{ at: at('2026-01-21', '10:00'), type: 'event.no_show', data: { recruiting_event: goMeetup } }],
  },
  {
    name: 'a rediscovered candidate hears about the opening and replies',
    playbook: 'attract-new-opening',
    subject: ada,
    events: [{ at: at('2026-01-07'), type: 'candidate.replied' }],
    start: at('2026-01-05'),
  },
  {
    name: 'an opened job rediscovers matching candidates',
    playbook: 'discover-rediscover-on-job-opened',
    subject: job,
    events: [{ at: at('2026-01-05'), type: 'job.opened' }],
  },
  {
    name: 'an opened job fast-tracks warm nurtured leads',
    playbook: 'hire-fast-track-nurtured',
    subject: job,
    events: [{ at: at('2026-01-05'), type: 'job.opened' }],
  },
  {
    name: 'a fast-tracked finalist gets a call first, then the invitation, and applies',
    playbook: 'hire-fast-track-invitation',
    subject: ada,
    events: [{ at: at('2026-01-08'), type: 'candidate.applied' }],
    start: at('2026-01-05'),
  },
  {
    name: 'a fast-tracked finalist moved to an interview in the ATS is done with the fast track',
    playbook: 'hire-fast-track-invitation',
    subject: ada,
    events: [
      {
        at: at('2026-01-07'),
        type: 'candidate.stage_changed',
        data: { stage: { name: 'Final round', kind: 'interview' } },
      },
    ],
    start: at('2026-01-05'),
  },
];
