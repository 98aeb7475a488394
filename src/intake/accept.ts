// Accepting an event: store it (idempotent by source and id) with its subject — a candidate, or a job for
// `job.*` events — in one transaction, then queue it for delivery to the subject's workflow. Shared by
// POST /v1/events, the source webhooks, recruiters' actions (corrections, tasks, jobs) and the public
// link pages, so every event takes the same path. An event already stored is recognised before anything
// is written, and one from before the erasure of the person it names is not taken (src/db/erasures.ts).
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { applyEventFacts, upsertByEmail, upsertCandidate } from '../db/candidates.js';
import { eventFacts, hasFacts } from '../events/facts.js';
import type { Db, Sql } from '../db/client.js';
import {
  insertCandidateEvent,
  insertEvent,
  knownEvent,
  type KnownEvent,
  type StoredEvent,
} from '../db/events.js';
import { erasedAt, identityDigests } from '../db/erasures.js';
import { upsertJob } from '../db/jobs.js';
import type { CandidateInput, EventInput, JobInput } from '../domain.js';
import { candidateWorkflowId } from '../../workflows/contract.js';
import { deliveryTo, type EventDelivery } from './event-delivery.js';
import { endsProcess, withFurthestStage } from './stage-history.js';

/** What accepting an event needs: the database, the delivery queue, the counters and Temporal. */
export interface IntakeDeps {
  sql: Sql;
  temporal: Client;
  log: Logger;
  delivery?: EventDelivery | undefined;
  /** Counts each accepted event (rapport_events_total), when the process exports metrics. */
  metrics?: { eventAccepted(type: string, duplicate: boolean): void } | undefined;
}

interface Subject {
  /** The candidate or job whose workflow receives the event. */
  of: { candidateId: string } | { jobId: string };
  /** A duplicate candidate merged into this one by the upsert. */
  merged?: string;
}

export interface Accepted {
  event_id: string;
  candidate_id?: string;
  job_id?: string;
  workflow_id: string;
  duplicate: boolean;
}

/** An event not taken: it names a person who was erased after it happened. Nothing was written. */
export interface Ignored {
  ignored: true;
  reason: string;
}

export const isIgnored = (taken: Accepted | Ignored): taken is Ignored => 'ignored' in taken;

/**
 * Stores a valid event (once per source and id) with its subject atomically, and delivers it to the
 * subject's workflow. Shared by POST /v1/events, the source webhooks and the public link pages.
 */
export function acceptEvent(deps: IntakeDeps, input: EventInput & { job: JobInput }): Promise<Accepted>;
export function acceptEvent(deps: IntakeDeps, input: EventInput): Promise<Accepted | Ignored>;
export async function acceptEvent(deps: IntakeDeps, input: EventInput): Promise<Accepted | Ignored> {
  // Known already (a vendor's retry, a replay): answered from what is stored, nothing written.
  const known = await knownEvent(deps.sql, input.source, input.id);
  if (known) return duplicateOf(deps, input, known);
  if (input.job) return accept(deps, input, (tx) => jobSubject(tx, input, input.job!));
  const refused = await erasedBefore(deps, input);
  if (refused) return refused;
  const candidate = candidateOf(input);
  // The common case — a candidate known by email, an event that changes nothing about them — is one
  // statement; an external id (which may merge two records) or a fact to record takes the transaction.
  if (candidate.external_id === undefined && !hasFacts(factsOf(input)) && !endsProcess(input.type))
    return acceptByEmail(deps, input, candidate);
  return accept(deps, input, async (tx) => {
    const { id: candidateId, merged } = await upsertCandidate(tx, candidate, input.source);
    return { of: { candidateId }, ...(merged ? { merged } : {}) };
  });
}

const factsOf = (input: Pick<EventInput, 'type' | 'occurred_at'>) =>
  eventFacts(input.type, input.occurred_at ?? new Date().toISOString());

/**
 * An event from before the erasure of the person it names (by email or the source's id for them): not
 * taken, so that an old event cannot bring an erased person back. One that happened since is theirs anew.
 */
async function erasedBefore(deps: IntakeDeps, input: EventInput): Promise<Ignored | undefined> {
  const given = input.candidate;
  if (!given) return undefined;
  const digests = await identityDigests(deps.sql, {
    email: given.email,
    external: given.external_id !== undefined ? [{ source: input.source, id: given.external_id }] : [],
  });
  const at = await erasedAt(deps.sql, digests);
  // Without occurred_at the event happens now, after the erasure.
  if (!at || input.occurred_at === undefined || Date.parse(input.occurred_at) > at.getTime())
    return undefined;
  return {
    ignored: true,
    reason: `the candidate this event names was erased on ${at.toISOString()}, after the event happened; it is not taken`,
  };
}

/** The candidate as the event gives it; applying is asking to hear back about the application. */
function candidateOf(input: EventInput): CandidateInput {
  const given = input.candidate as CandidateInput;
  return {
    ...given,
    consent:
      input.type === 'candidate.applied'
        ? { ...given.consent, email: given.consent?.email ?? true }
        : given.consent,
  };
}

async function acceptByEmail(
  deps: IntakeDeps,
  input: EventInput,
  candidate: CandidateInput,
): Promise<Accepted> {
  const event = await deps.sql.begin((tx) =>
    insertCandidateEvent(
      tx,
      {
        source: input.source,
        sourceEventId: input.id ?? randomUUID(),
        type: input.type,
        data: input.data ?? {},
        occurredAt: input.occurred_at,
      },
      upsertByEmail(tx, candidate, input.source),
    ),
  );
  return delivered(deps, input, { of: { candidateId: event.candidateId } }, event);
}

/** An event about a candidate or job known by id (a recruiter's change, a completed task, a click, a reply). */
export interface KnownSubjectEvent {
  subject: { candidateId: string } | { jobId: string };
  type: EventInput['type'];
  source: string;
  /** Makes the event idempotent within its source. */
  id?: string;
  data?: Record<string, unknown>;
}

/**
 * Accepts an event about a known candidate or job like any other. `within` runs first in the same
 * transaction (the change the event reports), so the change and its event are stored together or not at all.
 */
export function acceptSubjectEvent(
  deps: IntakeDeps,
  event: KnownSubjectEvent,
  within?: (tx: Db) => Promise<void>,
): Promise<Accepted> {
  const { subject, ...input } = event;
  return accept(deps, input, async (tx) => {
    await within?.(tx);
    return { of: subject };
  });
}

async function accept(
  deps: IntakeDeps,
  input: Omit<EventInput, 'candidate' | 'job'>,
  subjectOf: (tx: Db) => Promise<Subject>,
): Promise<Accepted> {
  if (input.id !== undefined) {
    const known = await knownEvent(deps.sql, input.source, input.id);
    if (known) return duplicateOf(deps, input, known);
  }
  const { subject, event, data } = await deps.sql.begin(async (tx) => {
    const subject = await subjectOf(tx);
    let data = input.data ?? {};
    if ('candidateId' in subject.of) {
      // What the event says about the candidate is recorded before any journey reacts to it.
      await applyEventFacts(tx, subject.of.candidateId, factsOf(input));
      if (endsProcess(input.type)) data = await withFurthestStage(tx, subject.of.candidateId, data);
    }
    const event = await insertEvent(tx, {
      source: input.source,
      sourceEventId: input.id ?? randomUUID(),
      type: input.type,
      ...subject.of,
      data,
      occurredAt: input.occurred_at,
    });
    return { subject, event, data };
  });
  return delivered(deps, { ...input, data }, subject, event);
}

/**
 * After the event is stored: ends a merged duplicate's workflow, and queues the event for its workflow
 * (src/intake/event-delivery.ts): the answer does not wait for Temporal. A retried event that is not marked
 * delivered is queued again; the workflow ignores an event id it has seen.
 */
async function delivered(
  deps: IntakeDeps,
  input: Omit<EventInput, 'candidate' | 'job'>,
  subject: Subject,
  event: StoredEvent,
): Promise<Accepted> {
  const delivery = deliveryTo(subject.of, {
    id: event.id,
    type: input.type,
    source: input.source,
    occurred_at: event.occurred_at,
    data: input.data ?? {},
  });
  if (subject.merged) endMergedWorkflow(deps, subject.merged, delivery.workflowId);
  const known = event.created ? undefined : await knownEvent(deps.sql, input.source, input.id);
  if (event.created || (known && !known.delivered && !known.erased && !deps.delivery!.has(event.id)))
    void deps.delivery!.queue(delivery);
  deps.metrics?.eventAccepted(input.type, !event.created);
  return {
    event_id: event.id,
    ...('candidateId' in subject.of
      ? { candidate_id: subject.of.candidateId }
      : { job_id: subject.of.jobId }),
    workflow_id: delivery.workflowId,
    duplicate: !event.created,
  };
}

/**
 * The answer to an event stored before, from the stored row alone. Its delivery is queued again unless it
 * reached its workflow or its candidate was erased (a retry of a post whose delivery was lost).
 */
function duplicateOf(
  deps: IntakeDeps,
  input: Omit<EventInput, 'candidate' | 'job'>,
  known: KnownEvent,
): Accepted {
  const of = known.candidate_id ? { candidateId: known.candidate_id } : { jobId: known.job_id! };
  const delivery = deliveryTo(of, {
    id: known.id,
    type: known.type,
    source: input.source,
    occurred_at: known.occurred_at.toISOString(),
    data: known.data,
  });
  if (!known.delivered && !known.erased && !deps.delivery!.has(known.id)) void deps.delivery!.queue(delivery);
  deps.metrics?.eventAccepted(input.type, true);
  return {
    event_id: known.id,
    ...('candidateId' in of ? { candidate_id: of.candidateId } : { job_id: of.jobId }),
    workflow_id: delivery.workflowId,
    duplicate: true,
  };
}

/** A duplicate candidate merged into another: its workflow ends, its journeys are over. */
export function endMergedWorkflow(deps: IntakeDeps, merged: string, into: string): void {
  const workflowId = candidateWorkflowId(merged);
  // In turn after the events queued for the duplicate, so that none of them starts its workflow again.
  deps.delivery!.later(workflowId, 'ending a merged workflow', () =>
    deps.temporal.workflow
      .getHandle(workflowId)
      .terminate(`merged into ${into}`)
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }),
  );
}

async function jobSubject(tx: Db, input: EventInput, job: JobInput): Promise<Subject> {
  const status = input.type === 'job.opened' ? 'open' : input.type === 'job.closed' ? 'closed' : undefined;
  return { of: { jobId: await upsertJob(tx, job, input.source, status) } };
}
