// Source payloads kept in PostgreSQL (migration 0014): unmapped ones for 30 days, and those being
// enriched until their event is accepted or the enrichment fails for good.
import { createHash } from 'node:crypto';
import type { SourceMapping } from '../playbook/sources.js';
import type { Db } from './client.js';

export const KEEP_DAYS = 30;

export type PayloadStatus = 'unmapped' | 'enriching' | 'failed' | 'mapped';
/** Why a payload did not become an event, as /metrics counts it. */
export type ReasonKind = 'no-rule' | 'invalid-event' | 'read-failed';

export interface SourcePayload {
  id: string;
  source: string;
  event_key: string | null;
  status: PayloadStatus;
  reason_kind: ReasonKind | null;
  reason: string | null;
  headers: Record<string, string>;
  payload: unknown;
  mapping: SourceMapping | null;
  rule: number | null;
  started: boolean;
  event_id: string | null;
  received_at: Date;
}

/**
 * Keeps a payload no rule could map, and counts it; the same payload again (a sender's retry) is the row
 * kept before, counted once.
 */
export async function keepUnmapped(
  db: Db,
  input: {
    source: string;
    headers: Record<string, string>;
    payload: unknown;
    kind: ReasonKind;
    reason: string;
  },
): Promise<string> {
  const key = `unmapped:${createHash('sha256').update(JSON.stringify(input.payload)).digest('hex')}`;
  const [row] = await db<{ id: string }[]>`
    insert into source_payloads (source, event_key, status, reason_kind, reason, headers, payload)
    values (${input.source}, ${key}, 'unmapped', ${input.kind}, ${input.reason}, ${db.json(input.headers)},
      ${db.json(input.payload as never)})
    on conflict (source, event_key) where event_key is not null do nothing
    returning id`;
  if (row) {
    await countOutcome(db, input.source, 'unmapped', input.kind);
    return row.id;
  }
  const [kept] = await db<{ id: string }[]>`
    select id from source_payloads where source = ${input.source} and event_key = ${key}`;
  return kept!.id;
}

/**
 * Stores a payload to enrich, once per source and event key; `created` is false for a redelivery (or a
 * payload replayed into the row it came from).
 */
export async function keepForEnrichment(
  db: Db,
  input: {
    source: string;
    eventKey: string;
    headers: Record<string, string>;
    payload: unknown;
    mapping: SourceMapping;
    rule: number;
    /** A kept row this replaces (a replay). */
    replacing?: string;
  },
): Promise<{ id: string; created: boolean; status: PayloadStatus }> {
  if (input.replacing) {
    // The same delivery stored since (the vendor sent it again): the kept copy gives way to it.
    const [other] = await db<{ id: string; status: PayloadStatus }[]>`
      select id, status from source_payloads
      where source = ${input.source} and event_key = ${input.eventKey} and id <> ${input.replacing}`;
    if (other) {
      await db`delete from source_payloads where id = ${input.replacing}`;
      return { ...other, created: false };
    }
    const [row] = await db<{ id: string; status: PayloadStatus }[]>`
      update source_payloads set status = 'enriching', event_key = ${input.eventKey},
        mapping = ${db.json(input.mapping as never)}, rule = ${input.rule}, started = false,
        reason_kind = null, reason = null, updated_at = now()
      where id = ${input.replacing}
      returning id, status`;
    return { id: row!.id, created: true, status: row!.status };
  }
  const inserted = await db<{ id: string; status: PayloadStatus }[]>`
    insert into source_payloads (source, event_key, status, headers, payload, mapping, rule)
    values (${input.source}, ${input.eventKey}, 'enriching', ${db.json(input.headers)},
      ${db.json(input.payload as never)}, ${db.json(input.mapping as never)}, ${input.rule})
    on conflict (source, event_key) where event_key is not null do nothing
    returning id, status`;
  if (inserted[0]) return { ...inserted[0], created: true };
  const [row] = await db<{ id: string; status: PayloadStatus }[]>`
    select id, status from source_payloads where source = ${input.source} and event_key = ${input.eventKey}`;
  return { id: row!.id, created: false, status: row!.status };
}

export async function getPayload(db: Db, id: string): Promise<SourcePayload | undefined> {
  const [row] = await db<SourcePayload[]>`select * from source_payloads where id = ${id}`;
  return row;
}

export async function markStarted(db: Db, id: string): Promise<void> {
  await db`update source_payloads set started = true where id = ${id}`;
}

export async function markMapped(db: Db, id: string, eventId: string): Promise<void> {
  await db`
    update source_payloads set status = 'mapped', event_id = ${eventId}, reason_kind = null, reason = null,
      updated_at = now()
    where id = ${id}`;
}

/** An enrichment that failed for good (or a replayed payload that still does not map), counted. */
export async function markFailed(
  db: Db,
  id: string,
  status: 'failed' | 'unmapped',
  kind: ReasonKind,
  reason: string,
  options: { count?: boolean } = {},
): Promise<void> {
  const [row] = await db<{ source: string }[]>`
    update source_payloads set status = ${status}, reason_kind = ${kind}, reason = ${reason}, updated_at = now()
    where id = ${id} and status <> 'mapped'
    returning source`;
  if (row && options.count !== false)
    await countOutcome(db, row.source, status === 'failed' ? 'enrichment_failed' : 'unmapped', kind);
}

async function countOutcome(db: Db, source: string, outcome: string, reason: string): Promise<void> {
  await db`
    insert into source_payload_counts (source, outcome, reason, count) values (${source}, ${outcome}, ${reason}, 1)
    on conflict (source, outcome, reason) do update set count = source_payload_counts.count + 1`;
}

export async function payloadCounts(
  db: Db,
): Promise<{ source: string; outcome: string; reason: string; n: number }[]> {
  return db<{ source: string; outcome: string; reason: string; n: number }[]>`
    select source, outcome, reason, count::float8 as n from source_payload_counts`;
}

/** Payloads a replay takes: unmapped or failed, of the source, received since `since`. */
export async function replayable(db: Db, source: string, since: Date | undefined): Promise<SourcePayload[]> {
  return db<SourcePayload[]>`
    select * from source_payloads
    where source = ${source} and status in ('unmapped', 'failed')
      and received_at >= ${since ?? new Date(0)}
    order by received_at, id`;
}

/** Enrichments stored but not started (a crash, Temporal away), older than `olderThanS`. */
export async function unstartedEnrichments(db: Db, olderThanS: number, limit: number): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select id from source_payloads
    where status = 'enriching' and not started and updated_at < now() - make_interval(secs => ${olderThanS})
    order by updated_at limit ${limit}`;
  return rows.map((r) => r.id);
}

/** Forgets what is older than KEEP_DAYS, except enrichments still running. */
export async function forgetOldPayloads(db: Db): Promise<number> {
  const rows = await db`
    delete from source_payloads
    where received_at < now() - make_interval(days => ${KEEP_DAYS}) and status <> 'enriching'`;
  return rows.count;
}

/** Forgets one kept payload: it named a person erased since (src/db/erasures.ts). */
export async function forgetPayload(db: Db, id: string): Promise<void> {
  await db`delete from source_payloads where id = ${id}`;
}

/**
 * Forgets the kept payloads about a candidate who is being erased: those that became their events, and
 * those that name their email, or an id their ATS knows them by (Lever's carry ids only), anywhere
 * (unmapped ones have no candidate). Answers the ids of those forgotten.
 */
export async function forgetPayloadsAbout(db: Db, candidateId: string): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    delete from source_payloads p
    where event_id in (select id from events where candidate_id = ${candidateId})
      or strpos(lower(payload::text),
        (select '"' || lower(email) || '"' from candidates where id = ${candidateId} and email is not null)) > 0
      or exists (select 1 from candidate_external_ids x
        where x.candidate_id = ${candidateId} and x.source = p.source
          and strpos(p.payload::text, to_json(x.external_id)::text) > 0)
    returning id`;
  return rows.map((r) => r.id);
}
