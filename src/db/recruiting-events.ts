// Recruiting events (meetups, webinars, career fairs): their rows, the candidates' answers (a seat while
// there is one, else the waitlist; a seat given up goes to the first waiting), check-in, and the outcomes
// decided when the event closes. Each change of an answer is numbered (`version`), so the event it records
// (`candidate.rsvp`) is recorded once however often the same link is followed.
import type { Db, Sql } from './client.js';
import { findCandidates } from './candidates.js';
import { isUuid, type RsvpAnswer } from '../domain.js';
import { afterCursor, type Page } from './paging.js';

export type EventKind = 'meetup' | 'webinar' | 'career_fair' | 'other';
export type RsvpStatus = 'going' | 'waitlisted' | 'maybe' | 'declined' | 'walk_in';
export type Outcome = 'attended' | 'no_show';

export interface RecruitingEventRow {
  id: string;
  name: string;
  title: string;
  kind: EventKind;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  location: string | null;
  url: string | null;
  capacity: number | null;
  status: 'scheduled' | 'closed';
  created_at: Date;
  closed_at: Date | null;
}

export interface RecruitingEventInput {
  name: string;
  title: string;
  kind?: EventKind;
  starts_at: string;
  ends_at?: string;
  timezone: string;
  location?: string;
  url?: string;
  capacity?: number;
}

export interface RsvpRow {
  event_id: string;
  candidate_id: string;
  answer: RsvpAnswer | null;
  status: RsvpStatus;
  version: number;
  answered_at: Date;
  promoted_at: Date | null;
  recorded_version: number;
  checked_in_at: Date | null;
  outcome: Outcome | null;
  outcome_recorded: boolean;
}

/** How long an event lasts when its end is not given. */
const DEFAULT_LENGTH_MS = 2 * 3600_000;

/** Creates an event; undefined when its name is taken. */
export async function createRecruitingEvent(
  db: Db,
  input: RecruitingEventInput,
): Promise<RecruitingEventRow | undefined> {
  const ends = input.ends_at ?? new Date(Date.parse(input.starts_at) + DEFAULT_LENGTH_MS).toISOString();
  const [row] = await db<RecruitingEventRow[]>`
    insert into recruiting_events (name, title, kind, starts_at, ends_at, timezone, location, url, capacity)
    values (${input.name}, ${input.title}, ${input.kind ?? 'meetup'}, ${input.starts_at}, ${ends},
      ${input.timezone}, ${input.location ?? null}, ${input.url ?? null}, ${input.capacity ?? null})
    on conflict (name) do nothing
    returning *`;
  return row;
}

/** An event by id (a UUID) or by name. */
export async function getRecruitingEvent(db: Db, idOrName: string): Promise<RecruitingEventRow | undefined> {
  const [row] = await db<RecruitingEventRow[]>`
    select * from recruiting_events
    where ${isUuid(idOrName) ? db`id = ${idOrName}` : db`name = ${idOrName}`}`;
  return row;
}

/** Events, the newest first. */
export async function listRecruitingEvents(db: Db, page: Page): Promise<RecruitingEventRow[]> {
  return db<RecruitingEventRow[]>`
    select * from recruiting_events where true ${afterCursor(db, page)}
    order by created_at desc, id desc limit ${page.limit + 1}`;
}

/** What a journey, a message and an event's data carry of a recruiting event (`recruiting_event`). */
export function eventRef(row: RecruitingEventRow) {
  return {
    id: row.id,
    name: row.name,
    title: row.title,
    kind: row.kind,
    starts_at: row.starts_at.toISOString(),
    ends_at: row.ends_at.toISOString(),
    timezone: row.timezone,
    location: row.location,
    url: row.url,
  };
}
export type EventRef = ReturnType<typeof eventRef>;

/** What an answer did: the candidate's row, and who got the seat it gave up. */
export interface Answered {
  rsvp: RsvpRow;
  promoted?: RsvpRow | undefined;
}

/**
 * Records a candidate's answer, one event at a time (the event's row is locked): "yes" takes a seat if
 * one is free, else a place at the end of the waitlist; a seat given up ("no", "maybe") goes to the first
 * on the waitlist while there is a seat for them. The same answer again changes nothing. Undefined once the
 * event has started (answers are closed: a seat freed then would be offered too late to use).
 */
export async function answerRsvp(
  sql: Sql,
  input: { eventId: string; candidateId: string; answer: RsvpAnswer },
): Promise<Answered | undefined> {
  return sql.begin(async (tx) => {
    const [event] = await tx<{ capacity: number | null; open: boolean }[]>`
      select capacity, status = 'scheduled' and starts_at > now() as open
      from recruiting_events where id = ${input.eventId} for update`;
    if (!event?.open) return undefined;
    const [before] = await tx<RsvpRow[]>`
      select * from event_rsvps where event_id = ${input.eventId} and candidate_id = ${input.candidateId}`;
    if (before?.answer === input.answer) return { rsvp: before };
    let status: RsvpStatus = input.answer === 'no' ? 'declined' : 'maybe';
    if (input.answer === 'yes') {
      const holding = before?.status === 'going';
      status = holding || (await seatFree(tx, input.eventId, event.capacity)) ? 'going' : 'waitlisted';
    }
    const [rsvp] = await tx<RsvpRow[]>`
      insert into event_rsvps (event_id, candidate_id, answer, status, wanted_at)
      values (${input.eventId}, ${input.candidateId}, ${input.answer}, ${status},
        ${status === 'waitlisted' ? tx`clock_timestamp()` : null})
      on conflict (event_id, candidate_id) do update set
        answer = excluded.answer, status = excluded.status, version = event_rsvps.version + 1,
        answered_at = now(), wanted_at = excluded.wanted_at, promoted_at = null
      returning *`;
    const gaveUp = before?.status === 'going' && status !== 'going';
    const promoted =
      gaveUp && (await seatFree(tx, input.eventId, event.capacity))
        ? await promoteFirst(tx, input.eventId)
        : undefined;
    return { rsvp: rsvp!, promoted };
  });
}

async function seatFree(tx: Db, eventId: string, capacity: number | null): Promise<boolean> {
  if (capacity === null) return true;
  const [row] = await tx<{ n: number }[]>`
    select count(*)::int as n from event_rsvps where event_id = ${eventId} and status = 'going'`;
  return row!.n < capacity;
}

/** The first on the waitlist takes the seat given up. */
async function promoteFirst(tx: Db, eventId: string): Promise<RsvpRow | undefined> {
  const [row] = await tx<RsvpRow[]>`
    update event_rsvps set status = 'going', version = version + 1, wanted_at = null, promoted_at = now()
    where (event_id, candidate_id) = (
      select event_id, candidate_id from event_rsvps
      where event_id = ${eventId} and status = 'waitlisted'
      order by wanted_at, candidate_id limit 1)
    returning *`;
  return row;
}

export interface CheckIn {
  checked_in: number;
  already: number;
  /** Checked in without having answered "yes": they came all the same. */
  walk_ins: number;
  unknown: string[];
}

/** Answers whose change has no `candidate.rsvp` recorded yet (just made, or left so by a crash). */
export async function unrecordedRsvps(db: Db, eventId: string): Promise<RsvpRow[]> {
  return db<RsvpRow[]>`
    select * from event_rsvps
    where event_id = ${eventId} and answer is not null and recorded_version < version
    order by answered_at, candidate_id`;
}

/**
 * Events with an answer changed before `before` and still not recorded, or an outcome decided and not
 * recorded (a crash in between).
 */
export async function eventsWithUnrecorded(db: Db, before: Date): Promise<string[]> {
  const rows = await db<{ event_id: string }[]>`
    select event_id from event_rsvps
    where answer is not null and recorded_version < version and answered_at < ${before}
    union
    select r.event_id from event_rsvps r join recruiting_events e on e.id = r.event_id
    where r.outcome is not null and not r.outcome_recorded and e.closed_at < ${before}`;
  return rows.map((r) => r.event_id);
}

/**
 * Claims the recording of an answer's change, in the transaction that records its event: false when
 * that version is recorded already or is no longer the latest (a newer change is recorded instead).
 */
export async function claimRsvpRecording(
  tx: Db,
  rsvp: Pick<RsvpRow, 'event_id' | 'candidate_id' | 'version'>,
) {
  const claimed = await tx`
    update event_rsvps set recorded_version = ${rsvp.version}
    where event_id = ${rsvp.event_id} and candidate_id = ${rsvp.candidate_id}
      and version = ${rsvp.version} and recorded_version < ${rsvp.version}
    returning 1`;
  return claimed.length > 0;
}

/** Claims the recording of an outcome, in the transaction that records its event; false when done. */
export async function claimOutcomeRecording(tx: Db, rsvp: Pick<RsvpRow, 'event_id' | 'candidate_id'>) {
  const claimed = await tx`
    update event_rsvps set outcome_recorded = true
    where event_id = ${rsvp.event_id} and candidate_id = ${rsvp.candidate_id}
      and outcome is not null and not outcome_recorded
    returning 1`;
  return claimed.length > 0;
}

/** Marks candidates (by id or email) as arrived; someone without a seat is a walk-in. Undefined once closed. */
export async function checkIn(
  sql: Sql,
  eventId: string,
  who: { candidateIds?: string[]; emails?: string[] },
): Promise<CheckIn | undefined> {
  return sql.begin(async (tx) => {
    const [event] = await tx<{ status: string }[]>`
      select status from recruiting_events where id = ${eventId} for update`;
    if (!event || event.status !== 'scheduled') return undefined;
    const { candidates, unknown } = await findCandidates(tx, who);
    const rows = await tx<{ was_checked_in: boolean; was_going: boolean }[]>`
      with prior as (
        select candidate_id, checked_in_at is not null as was_checked_in, status = 'going' as was_going
        from event_rsvps where event_id = ${eventId} and candidate_id = any (${candidates}::uuid[]))
      insert into event_rsvps (event_id, candidate_id, status, checked_in_at)
      select ${eventId}, unnest(${candidates}::uuid[]), 'walk_in', now()
      on conflict (event_id, candidate_id) do update set
        checked_in_at = coalesce(event_rsvps.checked_in_at, now()),
        status = case when event_rsvps.status = 'going' then 'going' else 'walk_in' end
      returning coalesce((select was_checked_in from prior p where p.candidate_id = event_rsvps.candidate_id), false)
          as was_checked_in,
        coalesce((select was_going from prior p where p.candidate_id = event_rsvps.candidate_id), false)
          as was_going`;
    const fresh = rows.filter((r) => !r.was_checked_in);
    return {
      checked_in: fresh.length,
      already: rows.length - fresh.length,
      walk_ins: fresh.filter((r) => !r.was_going).length,
      unknown,
    };
  });
}

/**
 * Closes the event, deciding the outcome of everyone expected at once (the event's row is locked, so no
 * answer or check-in slips in between): checked in → attended; going and not checked in → no-show (the
 * waitlisted, the maybes and the declined had no seat to miss). False when it was closed already.
 */
export async function closeWithOutcomes(sql: Sql, eventId: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const [event] = await tx<{ status: string }[]>`
      select status from recruiting_events where id = ${eventId} for update`;
    if (!event || event.status !== 'scheduled') return false;
    await tx`
      update event_rsvps set outcome = case when checked_in_at is not null then 'attended' else 'no_show' end
      where event_id = ${eventId} and (checked_in_at is not null or status = 'going')`;
    await tx`update recruiting_events set status = 'closed', closed_at = now() where id = ${eventId}`;
    return true;
  });
}

/** Outcomes decided whose event is not recorded yet (just closed, or left so by a crash). */
export async function unrecordedOutcomes(db: Db, eventId: string): Promise<RsvpRow[]> {
  return db<RsvpRow[]>`
    select * from event_rsvps
    where event_id = ${eventId} and outcome is not null and not outcome_recorded order by candidate_id`;
}

/** Events still open this long after they ended (they close by themselves). */
export async function eventsToClose(db: Db, endedBefore: Date): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select id from recruiting_events where status = 'scheduled' and ends_at < ${endedBefore} order by ends_at limit 100`;
  return rows.map((r) => r.id);
}

/** One line of an event's guest list (schemas/rsvp-list.schema.json). */
export interface RsvpListRow extends Pick<
  RsvpRow,
  'candidate_id' | 'answer' | 'status' | 'answered_at' | 'checked_in_at' | 'outcome'
> {
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  timezone: string | null;
  hired_at: Date | null;
}

/**
 * A guest's place in the list, as the cursor of the page after it: `<rank>.<µs>.<candidate id>` — the
 * rank of their status (going, walk-in, waitlisted, maybe, declined), the time they asked for a seat
 * (the waitlist's order) or else answered, in microseconds since 1970 (as stored, so no two places
 * blur), and the candidate.
 */
export const RSVP_CURSOR_PATTERN =
  '^[0-4]\\.[0-9]{1,17}\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** A page of a guest list: its size and, after the first, the place of the last guest seen. */
export interface RsvpPage {
  limit: number;
  /** The `next_cursor` of the page before (RSVP_CURSOR_PATTERN). */
  cursor?: string | undefined;
}

/**
 * Everyone who answered or came, going first, then walk-ins, the waitlist in order, maybe and declined,
 * with when they were hired after coming; a page at a time, by keyset on their place in that order.
 */
export async function listRsvps(
  db: Db,
  eventId: string,
  page: RsvpPage,
): Promise<{ items: RsvpListRow[]; next_cursor: string | null }> {
  const [rank, micros, candidateId] = (page.cursor?.split('.') ?? []) as [string?, string?, string?];
  const after =
    rank !== undefined && micros !== undefined && candidateId !== undefined
      ? db`and (g.rank, g.at, g.candidate_id) > (${Number(rank)}::int,
          'epoch'::timestamptz + ${micros}::bigint * interval '1 microsecond', ${candidateId}::uuid)`
      : db``;
  const rows = await db<(RsvpListRow & { place: string })[]>`
    select g.candidate_id, g.email, g.first_name, g.last_name, g.timezone, g.answer, g.status,
      g.answered_at, g.checked_in_at, g.outcome,
      (select min(e.occurred_at) from events e
        where e.candidate_id = g.candidate_id and e.type = 'candidate.hired'
          and e.occurred_at >= g.checked_in_at) as hired_at,
      g.rank || '.' || (extract(epoch from g.at) * 1000000)::bigint || '.' || g.candidate_id as place
    from (
      select r.*, c.email, c.first_name, c.last_name, c.timezone,
        case r.status when 'going' then 0 when 'walk_in' then 1 when 'waitlisted' then 2
          when 'maybe' then 3 else 4 end as rank,
        coalesce(r.wanted_at, r.answered_at) as at
      from event_rsvps r join candidates c on c.id = r.candidate_id
      where r.event_id = ${eventId}) g
    where true ${after}
    order by g.rank, g.at, g.candidate_id
    limit ${page.limit + 1}`;
  const items = rows.slice(0, page.limit).map(({ place: _place, ...row }) => row);
  const next = rows.length > page.limit ? (rows[page.limit - 1]?.place ?? null) : null;
  return { items, next_cursor: next };
}

export interface RsvpNumbers {
  rsvps: { yes: number; no: number; maybe: number };
  going: number;
  waitlisted: number;
  checked_in: number;
  attended: number;
  no_show: number;
  /** Hired after they checked in: the hires the event is credited with. */
  hired: number;
}

/** Answers and attendance of an event, over everyone (or only the candidates of one campaign). */
export async function rsvpNumbers(db: Db, eventId: string, campaignId?: string): Promise<RsvpNumbers> {
  const [n] = await db<(Omit<RsvpNumbers, 'rsvps'> & { yes: number; no: number; maybe: number })[]>`
    select
      count(*) filter (where r.answer = 'yes')::int as yes,
      count(*) filter (where r.answer = 'no')::int as no,
      count(*) filter (where r.answer = 'maybe')::int as maybe,
      count(*) filter (where r.status = 'going')::int as going,
      count(*) filter (where r.status = 'waitlisted')::int as waitlisted,
      count(*) filter (where r.checked_in_at is not null)::int as checked_in,
      count(*) filter (where r.outcome = 'attended')::int as attended,
      count(*) filter (where r.outcome = 'no_show')::int as no_show,
      count(*) filter (where exists (
        select 1 from events e where e.candidate_id = r.candidate_id and e.type = 'candidate.hired'
          and e.occurred_at >= r.checked_in_at))::int as hired
    from event_rsvps r
    where r.event_id = ${eventId} ${
      campaignId
        ? db`and exists (select 1 from campaign_members m where m.campaign_id = ${campaignId}
            and m.candidate_id = r.candidate_id and m.outcome = 'enrolled')`
        : db``
    }`;
  const { yes, no, maybe, ...rest } = n!;
  return { rsvps: { yes, no, maybe }, ...rest };
}
