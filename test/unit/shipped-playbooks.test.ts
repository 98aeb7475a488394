// Each shipped playbook, simulated on its scenario: the timeline people should expect.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExpressions } from '../../src/expressions/liquid.js';
import { validatePipelines } from '../../src/playbook/load.js';
import { simulate, type TimelineLine } from '../../src/simulate/simulate.js';
import { loadTemplates } from '../../src/templates/engine.js';
import { SCENARIOS } from './shipped-playbooks.scenarios.js';

const DIR = path.resolve(import.meta.dirname, '../../pipelines');
const { playbooks } = await validatePipelines(DIR);
const templates = await loadTemplates(path.join(DIR, 'templates'));

/** One line per timeline entry: minute, action, step, and the subject, exit reason or task title. */
function compact(line: TimelineLine): string {
  const what =
    line.action === 'send'
      ? ` — ${String(line.subject)}`
      : line.action === 'exit'
        ? ` ${String(line.reason)}`
        : line.action === 'task'
          ? ` — ${String(line.title)}`
          : '';
  return `${line.at.slice(0, 16).replace('T', ' ')} ${line.action}${line.step ? ` ${line.step}` : ''}${what}`;
}

const EXPECTED: Record<string, string[]> = {
  'an applicant is thanked at once': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 send acknowledge \u2014 Ada, we received your application for Backend engineer',
    '2026-01-05 10:00 exit completed',
  ],
  'an interview is confirmed, reminded the day before, and followed by thanks': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 branch booked',
    '2026-01-05 10:00 send invite \u2014 Ada, your interview is booked',
    '2026-01-11 14:00 send reminder \u2014 Tomorrow: your interview with Acme',
    '2026-01-12 15:30 event',
    '2026-01-12 15:30 received interviewed',
    '2026-01-12 15:30 send thanks \u2014 Thank you for your time, Ada',
    '2026-01-12 15:30 exit completed',
  ],
  'a move to an interview stage is announced, then the booking confirmed': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 branch booked',
    '2026-01-05 10:00 send next-stage \u2014 Ada, you are through to the Onsite interview',
    '2026-01-07 10:00 event',
    '2026-01-07 10:00 received booking',
    '2026-01-07 10:00 send invite \u2014 Ada, your interview is booked',
    '2026-01-13 10:00 send reminder \u2014 Tomorrow: your interview with Acme',
    '2026-01-14 11:30 event',
    '2026-01-14 11:30 received interviewed',
    '2026-01-14 11:30 send thanks \u2014 Thank you for your time, Ada',
    '2026-01-14 11:30 exit completed',
  ],
  'a move to a screen stage is no interview': ['2026-01-05 10:00 event'],
  'an interview stage never booked becomes a task, then the journey ends': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 branch booked',
    '2026-01-05 10:00 send next-stage \u2014 Ada, you are through to the Onsite interview',
    '2026-01-19 10:00 timeout booking',
    "2026-01-19 10:00 task book-interview \u2014 Book Ada's Onsite interview and record its time",
    '2026-01-19 10:00 exit not-booked',
  ],
  'a no-show interview becomes a task for the recruiter': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 branch booked',
    '2026-01-05 10:00 send invite \u2014 Ada, your interview is booked',
    '2026-01-11 14:00 send reminder \u2014 Tomorrow: your interview with Acme',
    '2026-01-25 14:00 timeout interviewed',
    "2026-01-25 14:00 task check-interview \u2014 Did Ada's interview take place? Record it or reschedule",
    '2026-01-25 14:00 exit completed',
  ],
  'a candidate who was not selected gets feedback': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 send feedback \u2014 Ada, thank you for your time with Acme',
    '2026-01-05 10:00 exit completed',
  ],
  'an accepted offer is welcomed': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 send offer \u2014 Ada, an offer from Acme',
    '2026-01-07 10:00 event',
    '2026-01-07 10:00 received decision',
    '2026-01-07 10:00 send welcome \u2014 Welcome to Acme, Ada!',
    '2026-01-07 10:00 update steps/1/then/1',
    '2026-01-07 10:00 exit completed',
  ],
  'an unanswered offer is followed up': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 send offer \u2014 Ada, an offer from Acme',
    '2026-01-10 10:00 timeout decision',
    '2026-01-10 10:00 send follow-up \u2014 Any questions about your offer, Ada?',
    '2026-01-10 10:00 task call-about-offer \u2014 Call Ada about the offer',
    '2026-01-10 10:00 exit completed',
  ],
  'a finalist is nurtured: advice, a check-in she answers, then quarterly news in her sending window': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 update steps/0',
    '2026-02-04 10:00 send advice \u2014 Ada, what would make the difference next time',
    '2026-04-05 10:00 wait checkin',
    '2026-04-06 07:00 send checkin \u2014 Ada, are you open to new opportunities?',
    '2026-04-08 10:00 event',
    '2026-04-08 10:00 received answer',
    '2026-04-08 10:00 branch steps/5/then/0',
    '2026-04-08 10:00 update steps/5/then/0/then/0',
    '2026-04-08 10:00 task call-open-to-work \u2014 Ada is open to work \u2014 call',
    '2026-04-08 10:00 send company-news \u2014 News from Acme',
    '2026-07-07 10:00 send company-news \u2014 News from Acme',
    '2026-10-05 10:00 send company-news \u2014 News from Acme',
  ],
  'a rejection after the screen is not a silver medalist': ['2026-01-05 10:00 event'],
  'a nurtured finalist who applies again leaves the journey': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 update steps/0',
    '2026-02-04 10:00 send advice \u2014 Ada, what would make the difference next time',
    '2026-03-01 10:00 event',
    '2026-03-01 10:00 exit candidate.applied',
  ],
  'a passive candidate is asked twice a year and says yes the second time': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-06-04 10:00 send ask \u2014 Ada, are you open to new opportunities?',
    '2026-06-25 10:00 timeout reply',
    '2026-12-01 10:00 send ask \u2014 Ada, are you open to new opportunities?',
    '2026-12-03 10:00 event',
    '2026-12-03 10:00 received reply',
    '2026-12-03 10:00 branch steps/0/repeat/steps/2/then/0',
    '2026-12-03 10:00 update steps/0/repeat/steps/2/then/0/then/0',
    '2026-12-03 10:00 task call-open \u2014 Ada is open to opportunities \u2014 call',
  ],
  'company news every quarter for two years': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 wait news',
    '2026-01-06 08:00 send news \u2014 News from Acme',
    '2026-04-05 10:00 wait news',
    '2026-04-07 07:00 send news \u2014 News from Acme',
    '2026-07-04 10:00 wait news',
    '2026-07-07 07:00 send news \u2014 News from Acme',
    '2026-10-02 10:00 wait news',
    '2026-10-06 07:00 send news \u2014 News from Acme',
    '2026-12-31 10:00 send news \u2014 News from Acme',
    '2027-03-31 10:00 send news \u2014 News from Acme',
    '2027-06-29 10:00 send news \u2014 News from Acme',
    '2027-09-27 10:00 wait news',
    '2027-09-28 07:00 send news \u2014 News from Acme',
    '2027-09-28 07:00 exit completed',
  ],
  'a leap-day birthday is wished on 28 February in other years, at 09:00 local time': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-02-28 08:00 send wish \u2014 Happy birthday, Ada!',
    '2027-02-28 08:00 send wish \u2014 Happy birthday, Ada!',
    '2028-02-29 08:00 send wish \u2014 Happy birthday, Ada!',
  ],
  'no birthday messages without consent': ['2026-01-05 10:00 event'],
  'sourced talent is welcomed, and a click on our story becomes a task': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 update join',
    '2026-01-05 10:00 send welcome \u2014 Welcome to the Acme talent community',
    '2026-01-19 10:00 send story \u2014 How we work at Acme',
    '2026-01-21 10:00 event',
    '2026-01-21 10:00 received engaged',
    '2026-01-21 10:00 update steps/4/then/0',
    '2026-01-21 10:00 task reach-out \u2014 Ada engaged with our story \u2014 reach out',
    '2026-01-21 10:00 exit completed',
  ],
  'a campaign invites to a recruiting event': [
    '2026-01-05 07:00 event',
    '2026-01-05 07:00 enroll',
    '2026-01-05 07:00 wait invite',
    '2026-01-05 08:00 send invite \u2014 You are invited: Go meetup',
    '2026-01-05 08:00 exit completed',
    '2026-01-06 10:00 event',
  ],
  'a yes to a recruiting event is confirmed, and reminded the day before': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 branch steps/0',
    '2026-01-05 10:00 send confirm \u2014 You are in: Go meetup',
    '2026-01-19 17:00 send remind \u2014 Tomorrow: Go meetup',
    '2026-01-19 17:00 exit completed',
  ],
  'a yes, then a no, cancels the reminder': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 branch steps/0',
    '2026-01-05 10:00 send confirm \u2014 You are in: Go meetup',
    '2026-01-12 10:00 event',
    '2026-01-12 10:00 exit candidate.rsvp',
    '2026-01-12 10:00 enroll',
    '2026-01-12 10:00 branch steps/0',
    '2026-01-12 10:00 branch steps/0/else/0',
    '2026-01-12 10:00 exit completed',
  ],
  'answers to two events keep a reminder for each; a no to one cancels only its own': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 branch steps/0',
    '2026-01-05 10:00 send confirm \u2014 You are in: Go meetup',
    '2026-01-06 10:00 event',
    '2026-01-06 10:00 enroll',
    '2026-01-06 10:00 branch steps/0',
    '2026-01-06 10:00 send confirm \u2014 You are in: Rust webinar',
    '2026-01-07 10:00 event',
    '2026-01-07 10:00 exit candidate.rsvp',
    '2026-01-07 10:00 enroll',
    '2026-01-07 10:00 branch steps/0',
    '2026-01-07 10:00 branch steps/0/else/0',
    '2026-01-07 10:00 exit completed',
    '2026-01-19 17:00 send remind \u2014 Tomorrow: Go meetup',
    '2026-01-19 17:00 exit completed',
  ],
  'an attendee is thanked the next morning, in their time zone': [
    '2026-01-20 22:00 event',
    '2026-01-20 22:00 enroll',
    '2026-01-20 22:00 branch steps/0',
    '2026-01-20 22:00 update steps/0/then/0',
    '2026-01-20 22:00 wait thank',
    '2026-01-21 08:00 send thank \u2014 Thanks for coming, Ada',
    '2026-01-21 08:00 exit completed',
  ],
  'a no-show hears that we missed them': [
    '2026-01-21 10:00 event',
    '2026-01-21 10:00 enroll',
    '2026-01-21 10:00 branch steps/0',
    '2026-01-21 10:00 send missed \u2014 Sorry we missed you at Go meetup',
    '2026-01-21 10:00 exit completed',
  ],
  'a rediscovered candidate hears about the opening and replies': [
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 send pitch \u2014 Ada, a new role at Acme that fits you',
    '2026-01-07 10:00 event',
    '2026-01-07 10:00 received interest',
    '2026-01-07 10:00 task call-interested \u2014 Ada is interested in a new opening \u2014 call',
    '2026-01-07 10:00 exit completed',
  ],
  'an opened job rediscovers matching candidates': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 find steps/0',
    '2026-01-05 10:00 enroll steps/1',
    '2026-01-05 10:00 exit completed',
  ],
  'an opened job fast-tracks warm nurtured leads': [
    '2026-01-05 10:00 event',
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 find steps/0',
    '2026-01-05 10:00 enroll steps/1',
    '2026-01-05 10:00 exit completed',
  ],
  'a fast-tracked finalist gets a call first, then the invitation, and applies': [
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 task call-first \u2014 Call Ada before the fast-track email goes out',
    '2026-01-06 10:00 send invite \u2014 Ada, skip the queue for our new role',
    '2026-01-08 10:00 event',
    '2026-01-08 10:00 exit candidate.applied',
  ],
  'a fast-tracked finalist moved to an interview in the ATS is done with the fast track': [
    '2026-01-05 10:00 enroll',
    '2026-01-05 10:00 task call-first \u2014 Call Ada before the fast-track email goes out',
    '2026-01-06 10:00 send invite \u2014 Ada, skip the queue for our new role',
    '2026-01-07 10:00 event',
    '2026-01-07 10:00 exit candidate.stage_changed',
  ],
};

describe('the shipped playbooks', () => {
  it('all have a scenario', () => {
    expect(new Set(SCENARIOS.map((s) => s.playbook))).toEqual(new Set(playbooks.keys()));
  });

  it.each(SCENARIOS)('$playbook: $name', (scenario) => {
    const definition = playbooks.get(scenario.playbook);
    expect(definition).toBeDefined();
    const lines = simulate({
      definition: definition!,
      candidate: scenario.subject,
      events: scenario.events ?? [],
      start: scenario.start ?? '2026-01-01T00:00:00.000Z',
      days: scenario.days ?? 365,
      expressions: createExpressions(),
      subjectOf: (template, scope) => templates.subject(template, scope),
      org: { name: 'Acme' },
    });
    expect(lines.map(compact)).toEqual(EXPECTED[scenario.name]);
  });
});
