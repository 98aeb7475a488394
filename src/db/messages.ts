// The outbox: one row per (workflow, journey, step, iteration), keyed by an idempotency key, carrying
// the message's delivery status.
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
}

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
    returning id, idempotency_key, status, status_reason, subject, to_address`;
  if (inserted) return { row: inserted, created: true };
  const [existing] = await db<OutboxRow[]>`
    select id, idempotency_key, status, status_reason, subject, to_address
    from messages where idempotency_key = ${m.idempotencyKey}`;
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
      attempts = attempts + ${to === 'sending' ? 1 : 0},
      sent_at = case when ${to} in ('sent', 'recorded') then now() else sent_at end,
      updated_at = now()
    where id = ${id} and status = ${from}`;
  return rows.count === 1;
}

/** A message's status now, and how long ago it last changed. */
export async function messageStatus(db: Db, id: string): Promise<{ status: MessageStatus; sinceMs: number }> {
  const [row] = await db<{ status: MessageStatus; since_ms: number }[]>`
    select status, (extract(epoch from now() - updated_at) * 1000)::float8 as since_ms from messages where id = ${id}`;
  return { status: row!.status, sinceMs: row!.since_ms };
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
