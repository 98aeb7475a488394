// The contract of the candidate and job workflows: their names and ids, signals, queries, updates and
// input types, and the inputs of the activities they call. Activities, the API and the CLI import this
// module, never the workflows themselves.
import { ApplicationFailure, defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CandidateEvent } from '../src/domain.js';
import type { Command, JourneyState, PlaybookDefinition, SleepReason } from '../src/interpreter/index.js';

/**
 * The types of the failures workflows and activities raise, by which the API and the CLI tell them apart
 * (an ApplicationFailure's `type`): one list, so no side matches a string the other does not raise.
 */
export const Failure = {
  NotFound: 'NotFound',
  Conflict: 'Conflict',
  Invalid: 'Invalid',
  TemplateError: 'TemplateError',
  DeliveryRetryable: 'DeliveryRetryable',
  /** The journey is carrying out a step: the operation can succeed once it rests. */
  Busy: 'Busy',
  /** The journey has already ended: nothing is left to operate on. */
  Ended: 'Ended',
  /** A webhook step names an environment variable that is not set. */
  MissingSecret: 'MissingSecret',
  WebhookUnreachable: 'WebhookUnreachable',
  WebhookRetryable: 'WebhookRetryable',
  WebhookRejected: 'WebhookRejected',
  /** A source payload's enrichment: the vendor's API gave an answer that will not change (404, 401). */
  SourceReadFailed: 'SourceReadFailed',
  /** A source payload's enrichment: the mapped event is invalid (a field the mapping needs is missing). */
  SourceEventInvalid: 'SourceEventInvalid',
} as const;
export type FailureType = (typeof Failure)[keyof typeof Failure];

/** A failure that retrying cannot mend, of one of the shared types. */
export function refusal(type: FailureType, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, type);
}

/** Workflow type names, as the worker registers them (workflows/index.ts). */
export const CANDIDATE_WORKFLOW = 'candidateWorkflow';
export const JOB_WORKFLOW = 'jobWorkflow';
export const SOURCE_PAYLOAD_WORKFLOW = 'sourcePayloadWorkflow';
export const CAMPAIGN_WORKFLOW = 'campaignWorkflow';
export const SEND_AGAIN_WORKFLOW = 'sendAgainWorkflow';
export type CandidateWorkflow = (input: CandidateWorkflowInput) => Promise<void>;
export type SourcePayloadWorkflow = (input: { payloadId: string }) => Promise<void>;
export type JobWorkflow = (input: JobWorkflowInput) => Promise<void>;
export type CampaignWorkflow = (input: CampaignWorkflowInput) => Promise<void>;
export type SendAgainWorkflow = (input: SendAgainInput) => Promise<SendAgainResult>;

export const eventSignal = defineSignal<[CandidateEvent]>('event');
/** A job's playbook enrolls the candidate into a playbook with the job in scope. */
export const enrollSignal = defineSignal<[EnrollRequest]>('enroll');
/** The job closed: the candidate's journeys enrolled for it end. */
export const jobClosedSignal = defineSignal<[{ id: string; jobId: string }]>('jobClosed');

export const journeysQuery = defineQuery<JourneySummary[]>('journeys');
export const journeyStateQuery = defineQuery<JourneyState | null, [string]>('journeyState');

export const pauseJourneyUpdate = defineUpdate<JourneySummary, [JourneyOperation]>('pauseJourney');
export const resumeJourneyUpdate = defineUpdate<JourneySummary, [JourneyOperation]>('resumeJourney');
export const cancelJourneyUpdate = defineUpdate<JourneySummary, [JourneyOperation]>('cancelJourney');
/** A recruiter enrolls the candidate into a playbook (update-with-start: the answer is the journey). */
export const enrollJourneyUpdate = defineUpdate<JourneySummary, [ManualEnrollment]>('enrollJourney');
export const migrateJourneyUpdate = defineUpdate<JourneySummary, [MigrateRequest]>('migrateJourney');

/** Pause, resume or cancel a campaign: the answer is its status once the change is recorded. */
export const controlCampaignUpdate = defineUpdate<CampaignState['status'], [{ action: CampaignAction }]>(
  'controlCampaign',
);
export const campaignStateQuery = defineQuery<CampaignState>('campaignState');

/** Event ids remembered across continue-as-new, so a late duplicate is still recognised. */
export const SEEN_EVENTS_KEPT = 1000;

export function candidateWorkflowId(candidateId: string): string {
  return `candidate/${candidateId}`;
}

export function jobWorkflowId(jobId: string): string {
  return `job/${jobId}`;
}

export function campaignWorkflowId(campaignId: string): string {
  return `campaign/${campaignId}`;
}

/** Sending one message again after its delivery was unknown (one run per message). */
export function sendAgainWorkflowId(messageId: string): string {
  return `message-again/${messageId}`;
}

/** The enrichment of one stored source payload. */
export function sourcePayloadWorkflowId(payloadId: string): string {
  return `source-payload/${payloadId}`;
}

export interface EnrollRequest {
  /** Unique per request: a repeated request enrolls once. */
  id: string;
  playbook: string;
  /** A job's playbook enrolls the candidate with the job in scope. */
  jobId?: string;
  /** A campaign enrolls the candidate once (claimed in campaign_members), in the campaign's contact class. */
  campaignId?: string;
  contactClass?: string;
  /** What the campaign's journeys see as `event`: the campaign, and the recruiting event it invites to. */
  event?: CandidateEvent;
}

export type CampaignAction = 'pause' | 'resume' | 'cancel';

/** A recruiter sends a message whose delivery was unknown again: the message, and who asked. */
export interface SendAgainInput {
  messageId: string;
  by: string;
}

/** The message that went out again: its id, and its outcome. */
export interface SendAgainResult {
  messageId: string;
  status: string;
  reason: string | null;
}

/** A campaign as its workflow runs it; carried across continue-as-new. */
export interface CampaignState {
  status: 'scheduled' | 'running' | 'paused' | 'cancelled' | 'completed';
  /** Whether it has begun enrolling (its members were taken from the pool). */
  started: boolean;
  /** Enrollments paced from `origin` at the campaign's rate; set again on resume. */
  pace: { origin: string; done: number } | null;
}

export interface CampaignWorkflowInput {
  campaignId: string;
  playbook: string;
  /** The contact policy class its journeys are in, when the campaign names one. */
  contactClass?: string;
  /** Enrollments per minute; unset: as fast as the bounded concurrency allows. */
  ratePerMinute?: number | null;
  startAt: string;
  carried?: CampaignState;
}

export interface ManualEnrollment {
  /** Unique per request; part of the journey id. */
  id: string;
  playbook: string;
  /** The job the journey is for (templates see it as `job`; the journey ends when the job closes). */
  jobId?: string;
}

export interface JourneyOperation {
  journeyId: string;
  /** Who asked and why, for the timeline. */
  reason?: string;
}

export interface MigrateRequest {
  journeyId: string;
  definition: PlaybookDefinition;
}

/** A journey as callers see it: where it is and what it does next. */
export interface JourneySummary {
  id: string;
  playbook: string;
  version: number;
  status: JourneyState['status'] | 'paused';
  startedAt: string;
  currentStep: string | null;
  /** What the journey waits for, and until when. */
  next:
    | { kind: 'timer'; at: string; reason: SleepReason }
    | { kind: 'event'; events: string[]; until: string }
    | { kind: 'effect' }
    | null;
  exitReason: string | null;
  jobId: string | null;
}

/** A journey a subject had: for re-entry rules, and so that no journey starts twice. */
export interface EarlierJourney {
  /** Absent in what runs before this was kept carried. */
  id?: string;
  playbook: string;
  startedAt: string;
  /** The value of `enroll.per` it was about. */
  key?: string;
}

export interface CandidateWorkflowInput {
  candidateId: string;
  /** Carried across continue-as-new. */
  journeys?: JourneyState[];
  /** Commands a journey has yet to carry out (an event it received while waiting). */
  queued?: Record<string, Command[]>;
  paused?: string[];
  /** Earlier journeys, for re-entry rules and so that none starts twice: id, playbook, start, key. */
  history?: EarlierJourney[];
  pending?: CandidateEvent[];
  enrollRequests?: EnrollRequest[];
  seenEventIds?: string[];
  /** How many decisions each journey step recorded, to key the timeline entries. */
  recorded?: Record<string, number>;
}

export interface JobWorkflowInput {
  jobId: string;
  journeys?: JourneyState[];
  pending?: CandidateEvent[];
  seenEventIds?: string[];
  history?: { playbook: string; startedAt: string }[];
}

export function summarize(j: JourneyState, paused: boolean): JourneySummary {
  const a = j.awaiting;
  return {
    id: j.id,
    playbook: j.definition.playbook,
    version: j.definition.version,
    status: paused && j.status === 'waiting' ? 'paused' : j.status,
    startedAt: j.startedAt,
    currentStep: a?.step ?? null,
    next: !a
      ? null
      : a.kind === 'timer'
        ? { kind: 'timer', at: a.until, reason: a.reason }
        : a.kind === 'event'
          ? { kind: 'event', events: a.types, until: a.until }
          : { kind: 'effect' },
    exitReason: j.exitReason ?? null,
    jobId: j.jobId ?? null,
  };
}

/** Identifies one effect of one journey step iteration; the outbox and timeline keys derive from it. */
export interface StepEffect {
  workflowId: string;
  journeyId: string;
  candidateId: string | null;
  jobId?: string | null | undefined;
  step: string;
  iteration: number;
}

type EffectCommand = Extract<Command, { iteration: number }>;

/**
 * An effect command as its activity's input: the effect's identity and every field of the command. Each
 * activity's input is this type (plus what the journey adds), so no field the interpreter emits can be
 * left behind on the way.
 */
export type EffectInput<T extends EffectCommand['type']> = StepEffect &
  Omit<Extract<EffectCommand, { type: T }>, 'type'>;

/** The send activity's input: the send command, the journey's playbook, event and start. */
export type SendInput = EffectInput<'send'> & {
  candidateId: string;
  playbook: { id: string; version: number; owner?: string | undefined };
  event: CandidateEvent | null;
  startedAt: string;
};

/** An effect command as its activity's input: the journey's identity plus the command's own fields. */
export function effectInput<C extends EffectCommand, E extends object>(
  effect: E,
  command: C,
): E & Omit<C, 'type'> {
  const { type: _type, ...fields } = command;
  return { ...effect, ...fields };
}
