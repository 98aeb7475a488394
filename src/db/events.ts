// Events as received: stored once per (source, source event id), so a retried webhook changes nothing.
import type { PendingQuery } from 'postgres';
import type { Db as Tx } from './client.js';
import { recordTimeline } from './timeline.js';

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

/**
 * Stores the event unless its source already sent that id. A candidate's event goes on their timeline in
 * the same transaction (insertCandidateEvent).
 */
export async function insertEvent(tx: Tx, e: NewEvent): Promise<StoredEvent> {
  if (e.candidateId)
    return insertCandidateEvent(tx, e, tx<{ id: string }[]>`select ${e.candidateId}::uuid as id`);
  const [row] = await tx<{ id: string; occurred_at: Date }[]>`
    insert into events (source, source_event_id, type, job_id, data, occurred_at)
    values (${e.source}, ${e.sourceEventId ?? null}, ${e.type}, ${e.jobId ?? null}, ${tx.json(e.data as never)},
      coalesce(${e.occurredAt ?? null}::timestamptz, now()))
    on conflict (source, source_event_id) do nothing
    returning id, occurred_at`;
  return row ? { id: row.id, occurred_at: row.occurred_at.toISOString(), created: true } : storedEvent(tx, e);
}

/** The event its source sent before with this id. */
async function storedEvent(tx: Tx, e: Pick<NewEvent, 'source' | 'sourceEventId'>): Promise<StoredEvent> {
  const [existing] = await tx<{ id: string; occurred_at: Date }[]>`
    select id, occurred_at from events where source = ${e.source} and source_event_id = ${e.sourceEventId ?? null}`;
  return { id: existing!.id, occurred_at: existing!.occurred_at.toISOString(), created: false };
}

/**
 * A candidate's event: the candidate query given (an upsert such as upsertByEmail, or a known id) and the
 * event unless its source sent that id already, in one statement, then the event's timeline entry. Run it
 * in a transaction, so that the event and its entry are stored together.
 */
export async function insertCandidateEvent(
  db: Tx,
  e: Omit<NewEvent, 'candidateId' | 'jobId'>,
  candidate: PendingQuery<{ id: string }[]> | PendingQuery<{ id: string; created: boolean }[]>,
): Promise<StoredEvent & { candidateId: string }> {
  const [row] = await db<{ candidate_id: string; id: string | null; occurred_at: Date | null }[]>`
    with candidate as (${candidate}),
    inserted as (
      insert into events (source, source_event_id, type, candidate_id, data, occurred_at)
      select ${e.source}, ${e.sourceEventId ?? null}, ${e.type}, candidate.id, ${db.json(e.data as never)},
        coalesce(${e.occurredAt ?? null}::timestamptz, now())
      from candidate
      on conflict (source, source_event_id) do nothing
      returning id, occurred_at, candidate_id)
    select candidate.id as candidate_id, inserted.id, inserted.occurred_at
    from candidate left join inserted on true`;
  if (row!.id)
    await recordTimeline(db, {
      kind: 'event',
      candidateId: row!.candidate_id,
      eventId: row!.id,
      type: e.type,
      source: e.source,
      data: e.data,
    });
  const stored = row!.id
    ? { id: row!.id, occurred_at: row!.occurred_at!.toISOString(), created: true }
    : await storedEvent(db, e);
  return { ...stored, candidateId: row!.candidate_id };
}

/** An event stored before, as its source named it: what answering and delivering it again need. */
export interface KnownEvent {
  id: string;
  type: string;
  occurred_at: Date;
  data: Record<string, unknown>;
  candidate_id: string | null;
  job_id: string | null;
  /** It reached its workflow. */
  delivered: boolean;
  /** Its candidate was erased: it goes to no workflow. */
  erased: boolean;
}

/** The event its source sent before with this id, if any: read before anything is written. */
export async function knownEvent(
  db: Tx,
  source: string,
  sourceEventId: string | undefined,
): Promise<KnownEvent | undefined> {
  if (sourceEventId === undefined) return undefined;
  const [row] = await db<KnownEvent[]>`
    select e.id, e.type, e.occurred_at, e.data, e.candidate_id, e.job_id,
      e.delivered_at is not null as delivered, c.erased_at is not null as erased
    from events e left join candidates c on c.id = e.candidate_id
    where e.source = ${source} and e.source_event_id = ${sourceEventId}`;
  return row;
}

export async function isDelivered(db: Tx, eventId: string): Promise<boolean> {
  const [row] = await db<
    { delivered: boolean }[]
  >`select delivered_at is not null as delivered from events where id = ${eventId}`;
  return row?.delivered ?? false;
}

/** An event stored and not yet delivered, with what its delivery needs. */
export interface UndeliveredEvent {
  id: string;
  type: string;
  source: string;
  occurred_at: Date;
  data: Record<string, unknown>;
  candidate_id: string | null;
  job_id: string | null;
  /** Its candidate was erased: the event goes to no workflow. */
  erased: boolean;
}

/** Undelivered events received more than `olderThanS` seconds ago (by the database's clock), oldest first. */
export function undeliveredEvents(db: Tx, olderThanS: number, limit: number): Promise<UndeliveredEvent[]> {
  return db<UndeliveredEvent[]>`
    select e.id, e.type, e.source, e.occurred_at, e.data, e.candidate_id, e.job_id,
      c.erased_at is not null as erased
    from events e left join candidates c on c.id = e.candidate_id
    where e.delivered_at is null and e.received_at < now() - make_interval(secs => ${olderThanS})
    order by e.received_at
    limit ${limit}`;
}

const FLUSH_MS = 250;
const FLUSH_AT = 200;
const pending = new WeakMap<Tx, Set<string>>();
/** Batches of marks being written. */
const writing = new WeakMap<Tx, Set<Set<string>>>();

/**
 * Notes that the event reached its workflow, in a batch written within FLUSH_MS: one UPDATE for many
 * events instead of one per request. If the process dies first, the event only looks undelivered: the
 * sweep (or a retried post) delivers it again, and the workflow ignores an event id it has seen.
 */
export function markDelivered(db: Tx, eventId: string): void {
  let ids = pending.get(db);
  if (!ids) {
    ids = new Set();
    pending.set(db, ids);
    setTimeout(() => void flushDelivered(db), FLUSH_MS).unref();
  }
  ids.add(eventId);
  if (ids.size >= FLUSH_AT) void flushDelivered(db);
}

/** Whether the event was noted delivered and its mark is not written yet. */
export function markPending(db: Tx, eventId: string): boolean {
  if (pending.get(db)?.has(eventId)) return true;
  for (const ids of writing.get(db) ?? []) if (ids.has(eventId)) return true;
  return false;
}

/** Writes the marks noted so far now (at shutdown); a mark that fails to be written is only a retry later. */
export async function flushDelivered(db: Tx): Promise<void> {
  const ids = pending.get(db);
  if (!ids?.size) return;
  pending.delete(db);
  const batches = writing.get(db) ?? new Set<Set<string>>();
  writing.set(db, batches.add(ids));
  await db`update events set delivered_at = now() where id = any(${[...ids]}::uuid[]) and delivered_at is null`
    .catch(() => {})
    .finally(() => batches.delete(ids));
}
