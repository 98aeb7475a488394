// Activities of campaign workflows: take the pool's members when the campaign starts, then enroll them in
// batches — each member skipped with its reason (consent, unsubscribed, already in the playbook, held back
// by the contact policy) or requested from the candidate's workflow (signal-with-start), at the
// campaign's rate with bounded concurrency — and record the campaign's status.
import { setMaxListeners } from 'node:events';
import { setTimeout } from 'node:timers/promises';
import { CancelledFailure } from '@temporalio/common';
import pLimit from 'p-limit';
import type { Sql } from '../db/client.js';
import {
  decideMembers,
  getCampaign,
  nextMembers,
  queuedCount,
  setCampaignStatus,
  snapshotMembers,
  type CampaignStatus,
  type SkipRules,
} from '../db/campaigns.js';
import { getPool } from '../db/pools.js';
import { eventRef, getRecruitingEvent } from '../db/recruiting-events.js';
import { CAMPAIGN_ENROLLED, type CandidateEvent } from '../domain.js';
import { addDuration, parseDuration } from '../interpreter/duration.js';
import { classOf, type ContactPolicy, type PlaybookDefinition } from '../interpreter/index.js';
import {
  CANDIDATE_WORKFLOW,
  candidateWorkflowId,
  enrollSignal,
  Failure,
  refusal,
  type CandidateWorkflow,
  type EnrollRequest,
} from '../../workflows/contract.js';
import type { TemporalDeps } from './jobs.js';

/** Candidate workflows signalled at once by one batch. */
export const CAMPAIGN_CONCURRENCY = 16;
/** Requested members are recorded this many at a time (a crash re-signals at most these; they dedupe). */
const RECORD_EVERY = 100;

export interface CampaignDeps {
  sql: Sql;
  temporal: TemporalDeps;
  playbooks: () => Promise<ReadonlyMap<string, PlaybookDefinition>>;
  policy?: ContactPolicy | undefined;
}

export interface BatchInput {
  campaignId: string;
  playbook: string;
  contactClass?: string | undefined;
  ratePerMinute?: number | null | undefined;
  /** Enrollments go at origin + n / rate, n counting from `done`. */
  pace: { origin: string; done: number };
  limit: number;
}

export interface BatchResult {
  requested: number;
  skipped: number;
  /** Members still queued after this batch. */
  remaining: number;
}

/** Takes the pool's members into the campaign (once), and says how many. */
export async function prepareCampaign(deps: CampaignDeps, input: { campaignId: string }) {
  const campaign = await getCampaign(deps.sql, input.campaignId);
  if (!campaign) throw refusal(Failure.NotFound, `campaign ${input.campaignId} not found`);
  if (campaign.total !== null) return { total: campaign.total };
  const pool = campaign.pool_id ? await getPool(deps.sql, campaign.pool_id) : undefined;
  // A pool deleted before the campaign started leaves it with nobody to enroll.
  const total = pool ? await snapshotMembers(deps.sql, campaign.id, pool) : 0;
  return { total };
}

export async function recordCampaignStatus(
  deps: CampaignDeps,
  input: { campaignId: string; status: CampaignStatus },
) {
  await setCampaignStatus(deps.sql, input.campaignId, input.status);
}

/** What the contact policy says about this campaign's class, as skip rules over the candidates' state. */
export async function skipRules(deps: CampaignDeps, input: BatchInput, now: Date): Promise<SkipRules> {
  const rules: SkipRules = { playbook: input.playbook, holds: [] };
  const policy = deps.policy;
  if (!policy) return rules;
  const playbooks = await deps.playbooks();
  const definition = playbooks.get(input.playbook);
  if (!definition) return rules;
  const klass = classOf(policy, definition, input.contactClass);
  for (const hold of policy.holds ?? []) {
    if (!hold.hold.includes(klass)) continue;
    const holding = [...playbooks.values()]
      .filter((p) => hold.while.includes(classOf(policy, p)))
      .map((p) => p.playbook);
    rules.holds.push({ rule: hold.name, playbooks: holding });
  }
  const exempt = policy.classes.find((c) => c.class === klass)?.exempt;
  const per = policy.budget && parseDuration(policy.budget.per);
  if (policy.budget && per && !exempt) {
    const since = new Date(addDuration(now.toISOString(), { months: -per.months, ms: -per.ms }));
    rules.budget = { messages: policy.budget.messages, since };
  }
  return rules;
}

/**
 * What the campaign's journeys see as `event` (`campaign.enrolled`): the campaign, and the recruiting
 * event it invites to, whose RSVP links their messages then carry; and whether that event has started
 * (its answers are closed, so nobody more is invited).
 */
export async function campaignEvent(
  sql: Sql,
  campaignId: string,
): Promise<{ event: CandidateEvent; started: boolean } | undefined> {
  const campaign = await getCampaign(sql, campaignId);
  if (!campaign) return undefined;
  const invitedTo = campaign.recruiting_event_id
    ? await getRecruitingEvent(sql, campaign.recruiting_event_id)
    : undefined;
  const event: CandidateEvent = {
    id: `campaign-${campaign.id}`,
    type: CAMPAIGN_ENROLLED,
    source: 'campaign',
    occurred_at: campaign.start_at.toISOString(),
    data: {
      campaign: { id: campaign.id, name: campaign.name },
      ...(invitedTo ? { recruiting_event: eventRef(invitedTo) } : {}),
    },
  };
  const started =
    invitedTo !== undefined && (invitedTo.status === 'closed' || invitedTo.starts_at <= new Date());
  return { event, started };
}

/** What a batch needs from its activity context: heartbeats, and whether it was cancelled (paused). */
export interface BatchControl {
  heartbeat(): void;
  /** Aborted when the campaign is paused or cancelled while the batch runs. */
  signal: AbortSignal;
}

const NO_CONTROL: BatchControl = { heartbeat: () => {}, signal: new AbortController().signal };
/** How often a batch heartbeats, also while it waits for a member's turn. */
const HEARTBEAT_MS = 1000;
/** A batch that starts later than this behind its pace starts afresh from now instead of catching up. */
const MAX_LATE_MS = 2000;

/**
 * One batch: the next queued members, each skipped (recorded with its reason) or requested from its
 * candidate's workflow at its turn under the rate. A retry after a crash takes the members still queued:
 * those signalled but not yet recorded are signalled again, and their workflows' claim keeps it once.
 * Cancelled (a pause, a cancel), it signals nobody more, records whom it signalled, and ends cancelled.
 */
export async function enrollCampaignBatch(
  deps: CampaignDeps,
  input: BatchInput,
  control: BatchControl = NO_CONTROL,
): Promise<BatchResult> {
  const rules = await skipRules(deps, input, new Date());
  const members = await nextMembers(deps.sql, input.campaignId, input.limit, rules);
  const invitation = members.length ? await campaignEvent(deps.sql, input.campaignId) : undefined;
  // Once the event the campaign invites to has started, nobody else is invited to it.
  const tooLate = invitation?.started ? 'event_started' : null;
  const skipped = members.filter((m) => (m.reason ?? tooLate) !== null);
  await decideMembers(
    deps.sql,
    input.campaignId,
    skipped.map((m) => ({ candidateId: m.candidate_id, outcome: 'skipped', reason: m.reason ?? tooLate })),
  );
  const toEnroll = members.filter((m) => (m.reason ?? tooLate) === null).map((m) => m.candidate_id);
  const event = invitation?.event;
  const interval = input.ratePerMinute ? 60_000 / input.ratePerMinute : 0;
  // Turns at the rate from the pace's origin; after an outage (a dead worker, a slow snapshot) the
  // batch goes at the rate from now rather than in a burst to catch up.
  const first = Date.parse(input.pace.origin) + input.pace.done * interval;
  const late = Date.now() - first;
  const start = interval && late > MAX_LATE_MS ? first + late : first;
  let requested: string[] = [];
  const record = async () => {
    const done = requested;
    requested = [];
    await decideMembers(
      deps.sql,
      input.campaignId,
      done.map((candidateId) => ({ candidateId, outcome: 'requested' })),
    );
  };
  const one = async (candidateId: string, k: number) => {
    const wait = start + k * interval - Date.now();
    if (wait > 0) await setTimeout(wait, undefined, { signal: control.signal }).catch(() => undefined);
    if (control.signal.aborted) return;
    const request: EnrollRequest = {
      id: `campaign/${input.campaignId}/${candidateId}`,
      playbook: input.playbook,
      campaignId: input.campaignId,
      ...(input.contactClass ? { contactClass: input.contactClass } : {}),
      ...(event ? { event } : {}),
    };
    await deps.temporal.client.workflow.signalWithStart<CandidateWorkflow, [EnrollRequest]>(
      CANDIDATE_WORKFLOW,
      {
        workflowId: candidateWorkflowId(candidateId),
        taskQueue: deps.temporal.taskQueue,
        args: [{ candidateId }],
        signal: enrollSignal,
        signalArgs: [request],
      },
    );
    requested.push(candidateId);
    if (requested.length >= RECORD_EVERY) await record();
  };
  // Each member waiting for its turn listens for the cancellation: as many listeners as members in flight.
  setMaxListeners(CAMPAIGN_CONCURRENCY + 10, control.signal);
  const limit = pLimit(CAMPAIGN_CONCURRENCY);
  const beat = setInterval(() => control.heartbeat(), HEARTBEAT_MS);
  let sent = 0;
  try {
    control.heartbeat();
    // Every task runs to its end (none is left signalling after the batch returns), then the first
    // failure, if any, is the batch's.
    const outcomes = await Promise.allSettled(toEnroll.map((id, k) => limit(() => one(id, k))));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    sent = toEnroll.length;
  } finally {
    clearInterval(beat);
    await record();
  }
  if (control.signal.aborted) throw new CancelledFailure('the campaign was paused or cancelled');
  return {
    requested: sent,
    skipped: skipped.length,
    remaining: await queuedCount(deps.sql, input.campaignId),
  };
}
