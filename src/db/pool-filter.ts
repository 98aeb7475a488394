// Talent pools as SQL: a pool (static: its listed members; smart: its filter, schemas/pool-filter.schema.json)
// becomes one condition on `candidates c`, built from parameterised fragments only. Every criterion given
// must hold; erased candidates are never in a pool. Consent and unsubscribes are not filtered unless the
// filter asks (`consent`): a campaign skips and counts those candidates with their reason instead.
//
// The semantic check (`filterProblems`) is pure and shared by the API (problems as JSON pointers) and
// `rapport validate` (the same problems at file:line:column).
import { DateTime } from 'luxon';
import { addDuration, parseDuration } from '../interpreter/duration.js';
import { STAGE_KINDS, type StageKind } from '../sources/stages.js';
import type { FieldError } from '../schemas/index.js';
import type { PendingQuery, Row } from 'postgres';
import type { Db } from './client.js';

/** A piece of SQL to put into a query. */
export type Fragment = PendingQuery<Row[]>;

type Words = string[];
export interface PoolFilter {
  tags?: { any?: Words; all?: Words; none?: Words };
  skills?: { any?: Words; all?: Words; none?: Words };
  stage?: { in?: Words; not_in?: Words };
  stage_history?: { reached?: StageKind; not_reached?: StageKind };
  employment_status?: { in?: Words; not_in?: Words };
  source?: { in?: Words; not_in?: Words };
  location?: { any?: Words; none?: Words };
  consent?: { email?: true; sms?: true };
  last_contacted?: { before?: string; after?: string };
  journeys?: { in?: Words; not_in?: Words; been_in?: Words; never_in?: Words };
}

/** What a condition needs to know about a pool. */
export interface PoolRef {
  id: string;
  kind: 'static' | 'smart';
  filter: PoolFilter | null;
}

/** Messages in these statuses count as contact (as for rediscovery and the contact policy). */
export const CONTACT_STATUSES = ['sent', 'sending', 'unknown', 'recorded'];
/** Journeys in these statuses are running (not ended). */
export const RUNNING = ['running', 'waiting', 'paused'];

/** The instant a `when` (90d back from now, or a date) stands for; undefined when it is neither. */
export function instantOfWhen(when: string, now: Date): Date | undefined {
  const duration = parseDuration(when);
  let at: Date;
  try {
    at = duration
      ? new Date(addDuration(now.toISOString(), { months: -duration.months, ms: -duration.ms }))
      : DateTime.fromISO(when, { zone: 'utc' }).toJSDate();
  } catch {
    return undefined; // a duration too long for any calendar
  }
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/**
 * Meaning problems the schema cannot see: playbooks that do not exist (`missing`: the API answers 404
 * naming the field) and instants no calendar holds (`invalid`: 422).
 */
export function filterProblems(
  filter: PoolFilter,
  knownPlaybook: (id: string) => boolean,
  base = '/filter',
): { missing: FieldError[]; invalid: FieldError[] } {
  const missing: FieldError[] = [];
  const invalid: FieldError[] = [];
  for (const key of ['in', 'not_in', 'been_in', 'never_in'] as const) {
    (filter.journeys?.[key] ?? []).forEach((id, i) => {
      if (!knownPlaybook(id))
        missing.push({
          pointer: `${base}/journeys/${key}/${i}`,
          message: `names no playbook: "${id}" (write the id of a playbook in pipelines/)`,
        });
    });
  }
  for (const key of ['before', 'after'] as const) {
    const when = filter.last_contacted?.[key];
    if (when !== undefined && !instantOfWhen(when, new Date()))
      invalid.push({
        pointer: `${base}/last_contacted/${key}`,
        message: `is neither a duration nor a date: "${when}" (write 90d, or 2026-06-01)`,
      });
  }
  return { missing, invalid };
}

/** The condition, on `candidates c`, that a candidate is in the pool now. */
export function inPool(db: Db, pool: PoolRef, now = new Date()): Fragment {
  if (pool.kind === 'static' || !pool.filter)
    return db`c.erased_at is null and exists (
      select 1 from pool_members pm where pm.pool_id = ${pool.id} and pm.candidate_id = c.id)`;
  return matchesFilter(db, pool.filter, now);
}

/** The condition, on `candidates c`, that a candidate matches a smart pool's filter. */
export function matchesFilter(db: Db, f: PoolFilter, now = new Date()): Fragment {
  const parts: Fragment[] = [db`c.erased_at is null`];
  const and = (part: Fragment) => parts.push(part);

  if (f.tags?.any) and(db`c.tags && ${f.tags.any}::text[]`);
  if (f.tags?.all) and(db`c.tags @> ${f.tags.all}::text[]`);
  if (f.tags?.none) and(db`not (c.tags && ${f.tags.none}::text[])`);

  const keys = (words: Words) => [...new Set(words.map((w) => w.trim().toLowerCase()))];
  if (f.skills?.any) and(db`skill_keys(c.skills) && ${keys(f.skills.any)}::text[]`);
  if (f.skills?.all) and(db`skill_keys(c.skills) @> ${keys(f.skills.all)}::text[]`);
  if (f.skills?.none) and(db`not (skill_keys(c.skills) && ${keys(f.skills.none)}::text[])`);

  for (const [column, among] of [
    ['stage', f.stage],
    ['employment_status', f.employment_status],
    ['source', f.source],
  ] as const) {
    if (among?.in) and(db`${db(`c.${column}`)} = any (${among.in}::text[])`);
    if (among?.not_in) and(db`coalesce(${db(`c.${column}`)} <> all (${among.not_in}::text[]), true)`);
  }

  if (f.stage_history?.reached) and(db`exists (${reachedAny(db, f.stage_history.reached)})`);
  if (f.stage_history?.not_reached) and(db`not exists (${reachedAny(db, f.stage_history.not_reached)})`);

  const contains = (words: Words) =>
    db`exists (select 1 from unnest(${keys(words)}::text[]) w where strpos(lower(c.location), w) > 0)`;
  if (f.location?.any) and(db`c.location is not null and ${contains(f.location.any)}`);
  if (f.location?.none) and(db`(c.location is null or not ${contains(f.location.none)})`);

  if (f.consent?.email) and(db`c.consent_email and c.unsubscribed_at is null and c.email is not null`);
  if (f.consent?.sms) and(db`c.consent_sms and c.unsubscribed_at is null and c.phone is not null`);

  const contacted = (since: Date) => db`exists (
    select 1 from messages m where m.candidate_id = c.id and m.status = any (${CONTACT_STATUSES}::text[])
      and greatest(m.created_at, m.sent_at) >= ${since})`;
  const before = f.last_contacted?.before && instantOfWhen(f.last_contacted.before, now);
  const after = f.last_contacted?.after && instantOfWhen(f.last_contacted.after, now);
  if (before) and(db`not ${contacted(before)}`);
  if (after) and(db`${contacted(after)}`);

  const journeyIn = (playbooks: Words, running: boolean) => db`exists (
    select 1 from journeys j where j.candidate_id = c.id and j.playbook = any (${playbooks}::text[])
      ${running ? db`and j.status = any (${RUNNING}::text[])` : db``})`;
  if (f.journeys?.in) and(journeyIn(f.journeys.in, true));
  if (f.journeys?.not_in) and(db`not ${journeyIn(f.journeys.not_in, true)}`);
  if (f.journeys?.been_in) and(journeyIn(f.journeys.been_in, false));
  if (f.journeys?.never_in) and(db`not ${journeyIn(f.journeys.never_in, false)}`);

  return parts.reduce((all, part) => db`${all} and ${part}`);
}

/** The candidate's events that reported a stage at least as far as `kind`. */
function reachedAny(db: Db, kind: StageKind): Fragment {
  const kinds = STAGE_KINDS.slice(STAGE_KINDS.indexOf(kind)).filter((k) => k !== 'rejected');
  return db`select 1 from events e where e.candidate_id = c.id and (
    e.data -> 'stage' ->> 'kind' = any (${kinds}::text[])
    or e.data -> 'furthest_stage' ->> 'kind' = any (${kinds}::text[]))`;
}

/** The condition, on `candidates c`, that a candidate may be emailed now. */
export function contactable(db: Db): Fragment {
  return db`c.consent_email and c.unsubscribed_at is null and c.email is not null`;
}
