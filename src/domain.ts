// Types at the boundaries: what the API accepts and what the store hands back.

/**
 * The event a campaign's journeys start with (never stored: it is the journey's `event`), carrying the
 * campaign and the recruiting event it invites to. `rapport simulate` takes it from an events file.
 */
export const CAMPAIGN_ENROLLED = 'campaign.enrolled';

/** The answers to a recruiting event (its RSVP links, `candidate.rsvp`). */
export const RSVP_ANSWERS = ['yes', 'no', 'maybe'] as const;
export type RsvpAnswer = (typeof RSVP_ANSWERS)[number];

/** Whether a string is a UUID (the ids Rapport gives candidates, pools, campaigns and events). */
export const isUuid = (value: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

export interface CandidateInput {
  email: string;
  external_id?: string;
  first_name?: string;
  last_name?: string;
  phone?: string;
  timezone?: string;
  locale?: string;
  location?: string;
  tags?: string[];
  skills?: string[];
  consent?: { email?: boolean; sms?: boolean };
  birthday?: string;
  owner?: string;
  custom?: Record<string, unknown>;
}

/** A job as an ATS sends it with a job event. */
export interface JobInput {
  external_id: string;
  title?: string;
  location?: string;
  skills?: string[];
  seniority?: string;
  tags?: string[];
  owner?: string;
  custom?: Record<string, unknown>;
}

export interface EventInput {
  id?: string;
  source: string;
  type: string;
  occurred_at?: string;
  /** Present on candidate events. */
  candidate?: CandidateInput;
  /** Present on job events (`job.*`). */
  job?: JobInput;
  data?: Record<string, unknown>;
}

/** A candidate as playbooks and templates see it. */
export interface Candidate {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  timezone: string | null;
  locale: string | null;
  location: string | null;
  tags: string[];
  skills: string[];
  stage: string | null;
  employment_status: string | null;
  consent: { email: boolean; sms: boolean };
  unsubscribed_at: string | null;
  birthday: string | null;
  source: string | null;
  owner: string | null;
  custom: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface TimelineEntry {
  id: number;
  kind: string;
  summary: string;
  journey_id: string | null;
  step: string | null;
  message_id: string | null;
  event_id: string | null;
  data: Record<string, unknown>;
  occurred_at: string;
}

/** The event as a workflow receives it: plain data, small enough for a signal. */
export interface CandidateEvent {
  id: string;
  type: string;
  source: string;
  occurred_at: string;
  data: Record<string, unknown>;
}
