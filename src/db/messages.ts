// The outbox: one row per (workflow, journey, step, iteration), keyed by an idempotency key, carrying
// the message's delivery status. A row being delivered is `sending`, held by one attempt (its `attempts`
// number); `data_sent_at` says that attempt handed the message data to the provider, after which the
// outcome can no longer be known from the row alone.
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from './client.js';

export type MessageStatus =
  'pending' | 'sending' | 'sent' | 'recorded' | 'suppressed' | 'failed' | 'unknown' | 'cancelled';

export interface OutboxRow {
  id: string;
  idempotency_key: string;
  status: MessageStatus;
  status_reason: string | null;
  subject: string | null;
  to_address: string | null;
  /** The attempt that holds the row while it is `sending` (counted from 1). */
  attempts: number;
  /** When the holding attempt handed the message data to the provider; null before. */
  data_sent_at: Date | null;
}

const ROW = [
  'id',
  'idempotency_key',
  'status',
  'status_reason',
  'subject',
  'to_address',
  'attempts',
  'data_sent_at',
];

/** The outbox id of the message with this idempotency key: a UUID (version 8) derived from the key. */
export function messageIdFor(key: string): string {
  const hex = createHash('sha256').update(key).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface NewMessage {
  id?: string;
  idempotencyKey: string;
  candidateId: string;
  journeyId: string;
  step: string;
  channel: 'email' | 'sms';
  template: string;
  to: string | null;
  from: string | null;
  subject: string | null;
  text: string | null;
  /** The HTML part as sent (links already tracked), when the template has one. */
  html?: string | null;
  status: MessageStatus;
  reason?: string;
}

/**
 * Inserts the row unless its key exists; returns the row as stored and whether this call created it.
 * The id follows from the key, so two attempts racing may collide on either unique index: both are the
 * same message (`on conflict` names none).
 */
export async function claimMessage(db: Db, m: NewMessage): Promise<{ row: OutboxRow; created: boolean }> {
  const [inserted] = await db<OutboxRow[]>`
    insert into messages (id, idempotency_key, candidate_id, journey_id, step, channel, template, to_address,
      from_address, subject, body_text, body_html, status, status_reason)
    values (${m.id ?? randomUUID()}, ${m.idempotencyKey}, ${m.candidateId}, ${m.journeyId}, ${m.step}, ${m.channel}, ${m.template}, ${m.to},
      ${m.from}, ${m.subject}, ${m.text}, ${m.html ?? null}, ${m.status}, ${m.reason ?? null})
    on conflict do nothing
    returning ${db(ROW)}`;
  if (inserted) return { row: inserted, created: true };
  const [existing] = await db<OutboxRow[]>`
    select ${db(ROW)} from messages where idempotency_key = ${m.idempotencyKey}`;
  return { row: existing!, created: false };
}

/** Moves a message from one status to another; false when it was not in `from` (someone else moved it). */
export async function transition(
  db: Db,
  id: string,
  from: MessageStatus,
  to: MessageStatus,
  extra: { reason?: string; providerId?: string } = {},
): Promise<boolean> {
  const rows = await db`
    update messages set status = ${to}, status_reason = coalesce(${extra.reason ?? null}, status_reason),
      provider_id = coalesce(${extra.providerId ?? null}, provider_id),
      sent_at = case when ${to} in ('sent', 'recorded') then now() else sent_at end,
      updated_at = now()
    where id = ${id} and status = ${from}`;
  return rows.count === 1;
}

/**
 * Takes a row to deliver it: `pending`, or `sending` by an attempt that never handed the data over (it
 * died, or it is still connecting: its handover will be refused). Compare-and-set on the row as read, so
 * of two attempts taking the same row one wins. Returns the attempt's number, undefined when the row
 * changed since it was read.
 */
export async function startSending(
  db: Db,
  row: Pick<OutboxRow, 'id' | 'status' | 'attempts'>,
): Promise<number | undefined> {
  const [taken] = await db<{ attempts: number }[]>`
    update messages set status = 'sending', attempts = attempts + 1, data_sent_at = null, updated_at = now()
    where id = ${row.id} and status = ${row.status} and attempts = ${row.attempts}
      and (status = 'pending' or (status = 'sending' and data_sent_at is null))
    returning attempts`;
  return taken?.attempts;
}

/**
 * Records that the attempt hands the message data to the provider now. False when the attempt no longer
 * holds the row (a later attempt took it, or the journey's end cancelled it): the data must not go out.
 */
export async function recordHandover(db: Db, id: string, attempt: number): Promise<boolean> {
  const rows = await db`
    update messages set data_sent_at = now(), updated_at = now()
    where id = ${id} and status = 'sending' and attempts = ${attempt} and data_sent_at is null`;
  return rows.count === 1;
}

/**
 * Ends the attempt's delivery: `sent`, `failed`, `unknown`, or back to `pending` (a temporary failure,
 * nothing accepted). Only the attempt holding the row moves it. A definite answer (`sent`, `failed`) also
 * replaces an `unknown` that a later attempt concluded while this one still waited for the server.
 * `again`: the same write tried again after a lost connection, done if its first try was committed.
 */
export async function finishSending(
  db: Db,
  id: string,
  attempt: number,
  to: 'sent' | 'failed' | 'unknown' | 'pending',
  extra: { reason?: string; providerId?: string; again?: boolean } = {},
): Promise<boolean> {
  const from: MessageStatus[] = to === 'sent' || to === 'failed' ? ['sending', 'unknown'] : ['sending'];
  if (extra.again) from.push(to);
  const rows = await db`
    update messages set status = ${to}, status_reason = coalesce(${extra.reason ?? null}, status_reason),
      provider_id = coalesce(${extra.providerId ?? null}, provider_id),
      sent_at = case when ${to} = 'sent' then now() else sent_at end,
      data_sent_at = case when ${to} = 'pending' then null else data_sent_at end,
      updated_at = now()
    where id = ${id} and attempts = ${attempt} and status in ${db(from)}`;
  return rows.count === 1;
}

/**
 * Ends a `sending` row whose attempt never handed the data over (suppressed, cancelled): nothing can have
 * been accepted, and the attempt, if it still runs, is refused its handover. False otherwise.
 */
export async function abandonSending(
  db: Db,
  id: string,
  to: 'cancelled' | 'suppressed' | 'recorded',
  reason: string,
): Promise<boolean> {
  const rows = await db`
    update messages set status = ${to}, status_reason = ${reason},
      sent_at = case when ${to} = 'recorded' then now() else sent_at end, updated_at = now()
    where id = ${id} and status = 'sending' and data_sent_at is null`;
  return rows.count === 1;
}

/** A message's status now, how long ago it last changed, and whether its data was handed over. */
export async function messageStatus(
  db: Db,
  id: string,
): Promise<{ status: MessageStatus; sinceMs: number; dataSent: boolean; reason: string | null }> {
  const [row] = await db<
    { status: MessageStatus; since_ms: number; data_sent: boolean; status_reason: string | null }[]
  >`
    select status, (extract(epoch from now() - updated_at) * 1000)::float8 as since_ms,
      data_sent_at is not null as data_sent, status_reason
    from messages where id = ${id}`;
  return {
    status: row!.status,
    sinceMs: row!.since_ms,
    dataSent: row!.data_sent,
    reason: row!.status_reason,
  };
}

export async function listMessagesForCandidate(db: Db, candidateId: string) {
  return db<
    {
      id: string;
      journey_id: string | null;
      step: string | null;
      channel: string;
      template: string;
      subject: string | null;
      status: MessageStatus;
      status_reason: string | null;
      created_at: Date;
      sent_at: Date | null;
    }[]
  >`select id, journey_id, step, channel, template, subject, status, status_reason, created_at, sent_at
    from messages where candidate_id = ${candidateId} order by created_at`;
}

/** Messages by channel and outcome (the rapport_messages gauge). */
export async function countMessages(db: Db): Promise<{ channel: string; status: string; n: number }[]> {
  return db<{ channel: string; status: string; n: number }[]>`
    select channel, status, count(*)::int as n from messages group by channel, status`;
}

/** A message as it was stored, for delivering it again. */
export interface StoredMessage extends OutboxRow {
  candidate_id: string | null;
  journey_id: string | null;
  step: string | null;
  channel: 'email' | 'sms';
  template: string;
  from_address: string | null;
  body_text: string | null;
  body_html: string | null;
  again_of: string | null;
}

export async function storedMessage(db: Db, id: string): Promise<StoredMessage | undefined> {
  const [row] = await db<StoredMessage[]>`
    select ${db(ROW)}, candidate_id, journey_id, step, channel, template, from_address, body_text, body_html,
      again_of
    from messages where id = ${id}`;
  return row;
}

export type AgainClaim =
  | { kind: 'claimed' | 'existing'; again: OutboxRow }
  | { kind: 'missing' }
  | { kind: 'not-unknown'; status: MessageStatus }
  /** Its candidate was erased: nothing is left to send, nor anyone to send it to. */
  | { kind: 'erased' };

/**
 * Creates, once, the row that sends an `unknown` message again: `pending`, with the message's own
 * subject, text and HTML, its key followed by `/again/1`, and `again_of` naming it; the message's reason
 * notes who sent it again (which takes it off the attention list). The message's row is held meanwhile,
 * so of two requests at once one creates the row and the other finds it (`existing`). Run it in a
 * transaction.
 */
export async function claimAgain(tx: Db, id: string, by: string): Promise<AgainClaim> {
  const [message] = await tx<{ status: MessageStatus; idempotency_key: string; to_address: string | null }[]>`
    select status, idempotency_key, to_address from messages where id = ${id} for update`;
  if (!message) return { kind: 'missing' };
  // A statement of its own, so it sees the row a request that held the message before this one made.
  const [existing] = await tx<OutboxRow[]>`select ${tx(ROW)} from messages where again_of = ${id}`;
  if (existing) return { kind: 'existing', again: existing };
  if (message.status !== 'unknown') return { kind: 'not-unknown', status: message.status };
  if (message.to_address === null) return { kind: 'erased' };
  const key = `${message.idempotency_key}/again/1`;
  const reason = `sent again by ${by}`;
  const [again] = await tx<OutboxRow[]>`
    insert into messages (id, idempotency_key, candidate_id, journey_id, step, channel, template, to_address,
      from_address, subject, body_text, body_html, status, status_reason, again_of)
    select ${messageIdFor(key)}, ${key}, candidate_id, journey_id, step, channel, template, to_address,
      from_address, subject, body_text, body_html, 'pending', ${reason}, id
    from messages where id = ${id}
    returning ${tx(ROW)}`;
  await tx`
    update messages set status_reason = coalesce(status_reason || '; ', '') || ${reason} where id = ${id}`;
  return { kind: 'claimed', again: again! };
}
