// Events as received: stored once per (source, source event id), so a retried webhook changes nothing.
import type { Db as Tx } from './client.js';

export interface NewEvent {
  source: string;
  sourceEventId: string | undefined;
  type: string;
  /** The event's subject: a candidate, or a job. */
  candidateId?: string;
  jobId?: string;
  data: Record<string, unknown>;
  occurredAt: string | undefined;
}

export interface StoredEvent {
  id: string;
  occurred_at: string;
  /** False when an event with the same source id was already stored. */
  created: boolean;
}

export async function insertEvent(tx: Tx, e: NewEvent): Promise<StoredEvent> {
  const [row] = await tx<{ id: string; occurred_at: Date }[]>`
    insert into events (source, source_event_id, type, candidate_id, job_id, data, occurred_at)
    values (${e.source}, ${e.sourceEventId ?? null}, ${e.type}, ${e.candidateId ?? null}, ${e.jobId ?? null},
      ${tx.json(e.data as never)},
      coalesce(${e.occurredAt ?? null}::timestamptz, now()))
    on conflict (source, source_event_id) do nothing
    returning id, occurred_at`;
  if (row) return { id: row.id, occurred_at: row.occurred_at.toISOString(), created: true };
  const [existing] = await tx<{ id: string; occurred_at: Date }[]>`
    select id, occurred_at from events where source = ${e.source} and source_event_id = ${e.sourceEventId ?? null}`;
  return { id: existing!.id, occurred_at: existing!.occurred_at.toISOString(), created: false };
}

export async function isDelivered(db: Tx, eventId: string): Promise<boolean> {
  const [row] = await db<
    { delivered: boolean }[]
  >`select delivered_at is not null as delivered from events where id = ${eventId}`;
  return row?.delivered ?? false;
}

export async function markDelivered(db: Tx, eventId: string): Promise<void> {
  await db`update events set delivered_at = now() where id = ${eventId} and delivered_at is null`;
}
