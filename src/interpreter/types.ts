// The interpreter's data: pinned playbook definitions, journey state, inputs, commands and the context a
// step reads. Everything here is plain JSON so that it crosses Temporal boundaries and continue-as-new.
// The shapes follow schemas/playbook.schema.json, which validates them at the door.
import type { ContactLedger, ContactPolicy, PolicyReason } from './policy.js';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export interface SendingWindow {
  days?: Weekday[];
  from: string;
  to: string;
  timezone?: string;
}
export interface SendingCap {
  messages: number;
  per: string;
}
export type Channel = 'email' | 'sms';

interface Named {
  id?: string;
}
export interface SendSpec {
  template: string;
  channel?: Channel;
  to?: 'candidate' | 'owner';
  from?: string;
  window?: SendingWindow;
  cap?: SendingCap;
}
export interface SendStep extends Named {
  send: string | SendSpec;
}
export interface WaitStep extends Named {
  wait: string | { until: string };
}
export interface WaitForStep extends Named {
  waitFor: { event: string | string[]; if?: string; timeout: string };
  then?: Step[];
  else?: Step[];
}
export interface IfStep extends Named {
  if: string;
  then?: Step[];
  else?: Step[];
}
export interface UpdateStep extends Named {
  update: {
    set?: Record<string, string | null>;
    tags?: { add?: string[]; remove?: string[] };
    pools?: { add?: string[]; remove?: string[] };
  };
}
export interface TaskStep extends Named {
  task: { title: string; assignee?: string; due?: string };
}
export interface EnrollStep extends Named {
  enroll: { playbook: string; job?: string };
}
export interface FindStep extends Named {
  find: {
    match: { skills?: string[]; location?: string; tags?: string[]; seniority?: string };
    limit: number;
    prefer?: string[];
    exclude?: { tags?: string[]; contacted_within?: string };
  };
}
export interface WebhookStep extends Named {
  webhook: {
    url: string;
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    headers?: Record<string, string>;
    body?: Record<string, unknown>;
  };
}
export interface RepeatStep extends Named {
  repeat: { every?: string; times?: number; until?: string; forever?: true; steps: Step[] };
}
export interface ExitStep extends Named {
  exit: string;
}
export type Step =
  | SendStep
  | WaitStep
  | WaitForStep
  | IfStep
  | UpdateStep
  | TaskStep
  | EnrollStep
  | FindStep
  | WebhookStep
  | RepeatStep
  | ExitStep;

/** A validated playbook, as pinned in a journey's state. */
export interface PlaybookDefinition {
  playbook: string;
  stage: 'discover' | 'attract' | 'engage' | 'nurture' | 'hire';
  for?: 'candidate' | 'job';
  version: number;
  title?: string;
  owner?: string;
  timezone?: string;
  enroll: {
    on: string[];
    if?: string;
    /** A path into the enrolling event's data: one journey at a time per value (see perKey). */
    per?: string;
    reentry?: 'never' | 'always' | { after: string };
  };
  exit?: { on: string[] };
  sending?: { window?: SendingWindow; cap?: SendingCap };
  goal?: string;
  steps: Step[];
}

/** An event as journeys see it (`event` in expressions and templates). */
export interface JourneyEvent {
  id: string;
  type: string;
  source?: string;
  occurred_at?: string;
  data: Record<string, unknown>;
}

/** A position in the definition: the path of a step list, and the index of the next step in it. */
export interface Frame {
  list: (string | number)[];
  pc: number;
  /** Set on the body of a `repeat`: which iteration runs and when it started. */
  loop?: { index: number; startedAt: string };
}

export type Awaiting =
  | { kind: 'effect'; step: string; contact?: true }
  | { kind: 'timer'; step: string; until: string; reason: SleepReason }
  | { kind: 'event'; step: string; types: string[]; until: string };

export type SleepReason = 'wait' | 'window' | 'cap' | 'repeat' | 'policy';
export type JourneyStatus = 'running' | 'waiting' | 'completed' | 'exited' | 'cancelled' | 'failed';

export interface JourneyState {
  id: string;
  definition: PlaybookDefinition;
  status: JourneyStatus;
  startedAt: string;
  /** The enrolling event, or the last one a `waitFor` received: `event` in scope. */
  event?: JourneyEvent;
  frames: Frame[];
  awaiting: Awaiting | null;
  /** How often each step emitted its effect, so an effect in a loop gets a fresh idempotency key. */
  iterations: Record<string, number>;
  /** Events that arrived while the journey carried out a step, offered to the waitFor that follows. */
  inbox?: JourneyEvent[];
  /** Candidates found by the last `find` (job playbooks). */
  found?: string[];
  /** The job in scope (`job` in expressions): set for journeys a job's playbook enrolled. */
  jobId?: string;
  /** The value of the playbook's `enroll.per` in the enrolling event: what this journey is about. */
  key?: string;
  exitReason?: string;
  /**
   * Consent is decided once, by whoever delivers the send (the send activity, the simulator). Journeys
   * started before this was so lack it: their interpreter also decides when the send step runs.
   */
  consentAtDelivery?: true;
  /** The campaign that enrolled the subject (its numbers count this journey). */
  campaignId?: string;
  /** The contact policy's class for this journey, when its campaign names one. */
  contactClass?: string;
  /** The send the contact policy holds: since when, and by which rule (for the timeline and max_hold). */
  held?: { step: string; since: string; rule: string; reason: PolicyReason };
}

export type Input =
  | { type: 'start'; at: string }
  | { type: 'timer'; at: string }
  | { type: 'event'; at: string; event: JourneyEvent }
  | { type: 'done'; at: string; step: string; result?: { candidates?: string[]; outcome?: string } }
  /** Something the contact policy reads changed (a journey ended, a send was not sent): look again. */
  | { type: 'release'; at: string };

interface Effect {
  step: string;
  iteration: number;
}
export type Command =
  | (Effect & { type: 'send'; template: string; channel: Channel; to: 'candidate' | 'owner'; from?: string })
  | (Effect & {
      type: 'update';
      set?: Record<string, string | null>;
      tags?: { add?: string[]; remove?: string[] };
      pools?: { add?: string[]; remove?: string[] };
    })
  | (Effect & { type: 'task'; title: string; assignee: string; due?: string })
  | (Effect & { type: 'enroll'; playbook: string; job?: unknown; candidates?: string[] })
  | (Effect & { type: 'find'; query: FindStep['find'] })
  | (Effect & {
      type: 'webhook';
      url: string;
      method: string;
      headers?: Record<string, string>;
      body?: unknown;
    })
  | { type: 'sleep'; step: string; until: string; reason: SleepReason }
  | { type: 'waitFor'; step: string; events: string[]; until: string }
  | {
      type: 'record';
      step: string;
      what: 'branch' | 'suppressed' | 'received' | 'timeout' | 'held';
      detail: Record<string, unknown>;
    }
  | { type: 'end'; status: 'completed' | 'exited' | 'failed'; reason: string };

/** Liquid, injected so that the interpreter stays free of libraries with I/O. */
export interface Expressions {
  evaluate(expression: string, scope: Record<string, unknown>): unknown;
  render(text: string, scope: Record<string, unknown>): string;
}

/** What a step may read about the world, supplied with every input. */
export interface StepContext {
  candidate: object & {
    timezone?: string | null;
    consent?: { email?: boolean; sms?: boolean };
    unsubscribed_at?: string | null;
  };
  job?: Record<string, unknown>;
  org?: Record<string, unknown>;
  /** When messages were sent to this subject, by any playbook (for the cap). */
  sentAt: readonly string[];
  /** Each template's channel (its front matter): a send without `channel` uses its template's. */
  channels?: Readonly<Record<string, Channel>>;
  /** The contact policy every send to the candidate obeys, if the pipelines have one. */
  policy?: ContactPolicy;
  /** What the policy reads about the candidate's other journeys; without it, only `sentAt` counts. */
  contacts?: ContactLedger;
  expressions: Expressions;
}

export interface StepResult {
  state: JourneyState;
  commands: Command[];
}
