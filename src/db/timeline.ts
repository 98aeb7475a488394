// The timeline: one row per thing that happened with a candidate (or a job), written by one function
// over one union of kinds. Each entry has a key that follows from what it records — the event, the
// message and its outcome, the step iteration, the journey's start or end — and is written at most once
// per key: a retried activity, a replayed workflow or a redelivered event adds nothing.
import { randomUUID } from 'node:crypto';
import type { StepEffect } from '../../workflows/contract.js';
import type { Db } from './client.js';

/** A step iteration of a journey: what an effect (or a decision) of the interpreter belongs to. */
export type StepRef = StepEffect;

/** A message's outcomes on the timeline (the outbox statuses a message ends a step in). */
export type MessageOutcome = 'sent' | 'recorded' | 'suppressed' | 'failed' | 'unknown' | 'cancelled';

/** Why the interpreter went one way: a branch taken, an awaited event received, a wait that timed out, a send it did not make. */
export type Decision = 'branch' | 'received' | 'timeout' | 'suppressed' | 'held';

export type NewTimelineEntry =
  | {
      kind: 'event';
      candidateId: string;
      eventId: string;
      type: string;
      source: string;
      data: Record<string, unknown>;
    }
  | { kind: 'note'; candidateId: string; text: string; author: string | null }
  | { kind: 'source.failed'; candidateId: string; payloadId: string; source: string; reason: string }
  | { kind: 'erased'; candidateId: string }
  | { kind: 'merged'; candidateId: string; merged: string }
  | {
      kind: 'journey.started' | 'journey.ended';
      candidateId: string | null;
      jobId: string | null;
      journeyId: string;
      playbook: string;
      version: number;
      status: string;
      reason: string | null;
    }
  | {
      kind: 'message';
      outcome: MessageOutcome;
      candidateId: string;
      /** The journey and step that sent it (a message sent again keeps its original's). */
      journeyId: string | null;
      step: string | null;
      messageId: string;
      /** The line after the outcome: the subject when there is one, else the template. */
      about: string;
      /** What a reader needs besides the outcome: why (no consent, no provider…). */
      because?: string | undefined;
      data: Record<string, unknown>;
    }
  | { kind: 'decision'; what: Decision; at: StepRef; data: Record<string, unknown> }
  | { kind: 'candidate.updated'; at: StepRef; data: Record<string, unknown> }
  | { kind: 'task.created'; at: StepRef; title: string; task: string }
  | { kind: 'webhook.called'; at: StepRef; summary: string; status: number; url: string }
  | { kind: 'job.found'; at: StepRef; candidates: number; query: unknown };

interface Row {
  dedup_key: string;
  candidate_id: string | null;
  job_id: string | null;
  kind: string;
  summary: string;
  journey_id: string | null;
  step: string | null;
  message_id: string | null;
  event_id: string | null;
  data: Record<string, unknown>;
}

/**
 * Writes the entry unless one with its key is there. Returns the new row's id and time, or undefined
 * when the entry was already written.
 */
export async function recordTimeline(
  db: Db,
  entry: NewTimelineEntry,
): Promise<{ id: string; occurred_at: Date } | undefined> {
  const row = rowOf(entry);
  const [written] = await db<{ id: string; occurred_at: Date }[]>`
    insert into interactions (dedup_key, candidate_id, job_id, kind, summary, journey_id, step, message_id,
      event_id, data)
    values (${row.dedup_key}, ${row.candidate_id}, ${row.job_id}, ${row.kind}, ${row.summary}, ${row.journey_id},
      ${row.step}, ${row.message_id}, ${row.event_id}, ${db.json(row.data as never)})
    on conflict (dedup_key) do nothing
    returning id, occurred_at`;
  return written;
}

/** The key of a step iteration: the same as the effect's idempotency key (outbox, tasks, webhooks). */
export function stepKey(s: Pick<StepRef, 'workflowId' | 'journeyId' | 'step' | 'iteration'>): string {
  return `${s.workflowId}/${s.journeyId}/${s.step}/${s.iteration}`;
}

function atStep(kind: string, at: StepRef, summary: string, data: Record<string, unknown>): Row {
  return {
    dedup_key: `step:${kind}:${stepKey(at)}`,
    candidate_id: at.candidateId,
    job_id: at.jobId ?? null,
    kind,
    summary,
    journey_id: at.journeyId,
    step: at.step,
    message_id: null,
    event_id: null,
    data,
  };
}

const NONE = { job_id: null, journey_id: null, step: null, message_id: null, event_id: null };

function rowOf(e: NewTimelineEntry): Row {
  switch (e.kind) {
    case 'event':
      return {
        ...NONE,
        dedup_key: `event:${e.eventId}`,
        candidate_id: e.candidateId,
        kind: 'event',
        summary: e.type,
        event_id: e.eventId,
        data: { type: e.type, source: e.source, data: e.data },
      };
    case 'note':
      // Every note is its own entry.
      return {
        ...NONE,
        dedup_key: `note:${randomUUID()}`,
        candidate_id: e.candidateId,
        kind: 'note',
        summary: e.text,
        data: { author: e.author },
      };
    case 'source.failed':
      return {
        ...NONE,
        dedup_key: `source-failed:${e.payloadId}`,
        candidate_id: e.candidateId,
        kind: 'source.failed',
        summary: `A ${e.source} webhook could not become an event: ${e.reason}`,
        data: { source: e.source, payload_id: e.payloadId, reason: e.reason },
      };
    case 'erased':
      return {
        ...NONE,
        dedup_key: `erased:${e.candidateId}`,
        candidate_id: e.candidateId,
        kind: 'erased',
        summary: 'Personal data erased',
        data: {},
      };
    case 'merged':
      return {
        ...NONE,
        dedup_key: `merged:${e.merged}`,
        candidate_id: e.candidateId,
        kind: 'merged',
        summary: 'Merged with a duplicate record',
        data: { merged: e.merged },
      };
    case 'journey.started':
    case 'journey.ended':
      return {
        ...NONE,
        dedup_key: `${e.kind}:${e.journeyId}`,
        candidate_id: e.candidateId,
        job_id: e.jobId,
        kind: e.kind,
        summary:
          e.kind === 'journey.started'
            ? `Enrolled in ${e.playbook} v${e.version}`
            : `Left ${e.playbook} (${e.reason ?? e.status})`,
        journey_id: e.journeyId,
        data: { playbook: e.playbook, version: e.version, status: e.status, reason: e.reason },
      };
    case 'message':
      return {
        ...NONE,
        dedup_key: `message.${e.outcome}:${e.messageId}`,
        candidate_id: e.candidateId,
        kind: `message.${e.outcome}`,
        summary: `${OUTCOME_LINES[e.outcome]}${e.because ? ` (${e.because})` : ''}: ${e.about}`,
        journey_id: e.journeyId,
        step: e.step,
        message_id: e.messageId,
        data: e.data,
      };
    case 'decision':
      return atStep(
        e.what === 'suppressed' ? 'message.suppressed' : `journey.${e.what}`,
        e.at,
        decisionLine(e.what, e.at.step, e.data),
        e.data,
      );
    case 'candidate.updated':
      return atStep(e.kind, e.at, 'Updated by the playbook', e.data);
    case 'task.created':
      return atStep(e.kind, e.at, `Task: ${e.title}`, { task: e.task });
    case 'webhook.called':
      return atStep(e.kind, e.at, e.summary, { status: e.status, url: e.url });
    case 'job.found':
      return atStep(e.kind, e.at, `Found ${e.candidates} candidate${e.candidates === 1 ? '' : 's'}`, {
        query: e.query,
        candidates: e.candidates,
      });
  }
}

const OUTCOME_LINES: Record<MessageOutcome, string> = {
  sent: 'Sent',
  recorded: 'Recorded, not delivered',
  suppressed: 'Not sent',
  failed: 'Rejected',
  unknown: 'Delivery outcome unknown',
  cancelled: 'Not sent',
};

function decisionLine(what: Decision, step: string, detail: Record<string, unknown>): string {
  switch (what) {
    case 'suppressed':
      return detail.reason === 'policy'
        ? `Not sent (contact policy: ${String(detail.rule)}): ${String(detail.template)}`
        : `Not sent (${String(detail.reason)}): ${String(detail.template)}`;
    case 'held':
      return `Held by the contact policy (${String(detail.rule)}) until ${String(detail.until)}: ${String(detail.template)}`;
    case 'branch':
      return `Took ${String(detail.taken)} at ${step}: ${String(detail.if)} was ${JSON.stringify(detail.value)}`;
    case 'received':
      return `Received ${String(detail.event)} at ${step}`;
    case 'timeout':
      return `Stopped waiting at ${step}`;
  }
}
