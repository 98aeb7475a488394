// Hands one outbox row's message to its provider: the attempt takes the row (`pending`, or `sending` left
// by an attempt that never handed the data over), records the handover before the data goes out, and
// ends the row with the provider's answer. Only a failure after the handover can leave the outcome
// unknown. Shared by the send activity and by sending a message again.
import { ApplicationFailure } from '@temporalio/common';
import pRetry from 'p-retry';
import { Failure } from '../../workflows/contract.js';
import { isConnectionLost, type Sql } from '../db/client.js';
import {
  abandonSending,
  finishSending,
  messageStatus,
  recordHandover,
  startSending,
  transition,
  type MessageStatus,
  type OutboxRow,
} from '../db/messages.js';
import { DeliveryError, type Handover } from '../mail/mailer.js';

/** How often a delivery in progress reports it is alive (the workflow's heartbeat timeout is 10 s). */
const HEARTBEAT_MS = 2000;

/**
 * How long an attempt keeps trying to record an answer it has while PostgreSQL is out of reach (a
 * restart, a failover): the answer is known only to this process, and giving up would make it `unknown`.
 */
const RECORD_FOR_MS = 60_000;

/** The attempt no longer holds the row (a later attempt took it, or the journey's end cancelled it). */
export class HandoverRefused extends Error {
  constructor(readonly messageId: string) {
    super(`message ${messageId} is no longer this attempt's to deliver`);
    this.name = 'HandoverRefused';
  }
}

/** The row after the attempt; `decided` when this attempt decided its outcome (the caller records it). */
export type Delivered =
  | { decided: true; status: 'sent' | 'failed' | 'unknown'; reason: string | null }
  | { decided: false; status: MessageStatus; reason: string | null };

/** Why a message became `unknown` when a later attempt found its delivery interrupted. */
export const INTERRUPTED = 'interrupted during delivery';

/**
 * What an attempt does with the row it found: deliver it (`pending`, or `sending` by an attempt that
 * died before the handover: nothing can have been accepted), or report its outcome — a row whose data an
 * attempt that died handed over becomes `unknown` here (`decided`: the caller records it), never re-sent.
 */
export async function resume(
  sql: Sql,
  row: Pick<OutboxRow, 'id' | 'status' | 'status_reason' | 'data_sent_at'>,
): Promise<'deliver' | Delivered> {
  if (row.status === 'pending') return 'deliver';
  if (row.status !== 'sending') return { decided: false, status: row.status, reason: row.status_reason };
  if (!row.data_sent_at) return 'deliver';
  // A row given back meanwhile (a temporary failure of a slow attempt) is looked at again by a retry.
  if (!(await transition(sql, row.id, 'sending', 'unknown', { reason: INTERRUPTED })))
    throw lookAgain(row.id);
  return { decided: true, status: 'unknown', reason: INTERRUPTED };
}

/**
 * Ends, undelivered, a row that is `pending` or `sending` without a handover (an attempt in progress is
 * then refused its handover); false if it changed meanwhile.
 */
export function endUndelivered(
  sql: Sql,
  row: Pick<OutboxRow, 'id' | 'status'>,
  to: 'suppressed' | 'recorded' | 'cancelled',
  reason: string,
): Promise<boolean> {
  return row.status === 'pending'
    ? transition(sql, row.id, 'pending', to, { reason })
    : abandonSending(sql, row.id, to, reason);
}

/** A row that changed between reading and moving it: a retry of the activity reads it again. */
export function lookAgain(id: string): ApplicationFailure {
  return ApplicationFailure.retryable(
    `message ${id} changed meanwhile; looking again`,
    Failure.DeliveryRetryable,
  );
}

/** What hands the message to the provider, calling `handover` right before the data goes out. */
export type Provider = (handover: Handover) => Promise<{ providerId: string }>;

/**
 * Delivers the row's message once. A temporary failure puts the row back to `pending` and throws a
 * retryable failure (Temporal retries the activity); a permanent one is `failed`; one after the handover
 * with no answer is `unknown`. A row that changed since it was read is looked at again by a retry.
 */
export async function deliver(
  sql: Sql,
  row: Pick<OutboxRow, 'id' | 'status' | 'attempts'>,
  provider: Provider,
  options: { heartbeat?: (() => void) | undefined } = {},
): Promise<Delivered> {
  const attempt = await startSending(sql, row);
  if (attempt === undefined) throw lookAgain(row.id);
  // Heartbeats while the provider takes its time, so that a worker that died is noticed in seconds.
  const beating = options.heartbeat && setInterval(options.heartbeat, HEARTBEAT_MS);
  const handover = async () => {
    if (!(await recordHandover(sql, row.id, attempt))) throw new HandoverRefused(row.id);
  };
  // The provider's answer, recorded through a lost connection: a write retried after one may find its
  // first try committed (the answer was lost, not the write), which counts as done.
  const finish = (
    to: 'sent' | 'failed' | 'unknown' | 'pending',
    extra: { reason?: string; providerId?: string },
  ) =>
    pRetry((tried) => finishSending(sql, row.id, attempt, to, { ...extra, again: tried > 1 }), {
      retries: 1000,
      minTimeout: 200,
      maxTimeout: 2000,
      maxRetryTime: RECORD_FOR_MS,
      shouldRetry: ({ error }) => isConnectionLost(error),
    });
  const ended = async (
    moved: boolean,
    status: 'sent' | 'failed' | 'unknown',
    reason: string | null,
  ): Promise<Delivered> => (moved ? { decided: true, status, reason } : current(sql, row.id));
  try {
    const { providerId } = await provider(handover);
    return await ended(await finish('sent', { providerId }), 'sent', null);
  } catch (error) {
    if (error instanceof HandoverRefused) return current(sql, row.id);
    if (!(error instanceof DeliveryError)) throw error;
    const reason = error.message;
    if (error.kind === 'retryable') {
      if (!(await finish('pending', { reason }))) return current(sql, row.id);
      throw ApplicationFailure.retryable(reason, Failure.DeliveryRetryable);
    }
    const status = error.kind === 'permanent' ? 'failed' : 'unknown';
    return await ended(await finish(status, { reason }), status, reason);
  } finally {
    if (beating) clearInterval(beating);
  }
}

async function current(sql: Sql, id: string): Promise<Delivered> {
  const { status, reason } = await messageStatus(sql, id);
  return { decided: false, status, reason };
}
