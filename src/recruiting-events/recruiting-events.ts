// Recruiting events as the API, the console, the link pages and the sweep use them: create (checked
// before anything is stored), answer (a signed RSVP link), check in, close, and the event with its
// numbers. Every change a playbook may react to is an event on the candidate's timeline, recorded once:
// - `candidate.rsvp` for each change of an answer (a seat taken, a place on the waitlist, a seat given
//   by the waitlist), with `recruiting_event`, `answer`, `status` and `promoted` in its data;
// - `event.attended` / `event.no_show` when the event closes (by hand, or a day after it ended).
import type { Db, Sql } from '../db/client.js';
import type { RsvpAnswer } from '../domain.js';
import { campaignNumbers } from '../db/campaigns.js';
import {
  answerRsvp,
  checkIn,
  claimOutcomeRecording,
  claimRsvpRecording,
  closeWithOutcomes,
  createRecruitingEvent,
  eventRef,
  eventsToClose,
  getRecruitingEvent,
  rsvpNumbers,
  unrecordedOutcomes,
  unrecordedRsvps,
  type CheckIn,
  type RecruitingEventInput,
  type RecruitingEventRow,
  type RsvpNumbers,
  type RsvpRow,
} from '../db/recruiting-events.js';
import { acceptSubjectEvent, type IntakeDeps } from '../intake/accept.js';
import { Problem } from '../http/problem.js';
import { validate, type FieldError } from '../schemas/index.js';

/** An event closes by itself this long after it ended, unless someone closed it before. */
export const CLOSE_AFTER_MS = 24 * 3600_000;

export interface EventNumbers extends RsvpNumbers {
  /** Campaigns inviting to it. */
  campaigns: number;
  /** Candidates its campaigns enrolled (invited), and skipped. */
  invited: number;
  skipped: number;
  skipped_by_reason: Record<string, number>;
  sent: number;
  clicked: number;
  replied: number;
  converted: number;
  /** Seats not taken (null: no limit). */
  seats_left: number | null;
}

export type EventView = ReturnType<typeof eventRef> & {
  capacity: number | null;
  status: RecruitingEventRow['status'];
  created_at: Date;
  closed_at: Date | null;
  numbers: EventNumbers;
};

/** A valid IANA time zone name. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Creates an event: 422 naming the field for a bad value, 409 when the name is taken. */
export async function createEvent(sql: Sql, given: RecruitingEventInput): Promise<EventView> {
  const checked = validate<RecruitingEventInput>('recruiting-event-input.schema.json', given);
  if (!checked.ok) throw Problem.validation(checked.errors);
  const input = checked.value;
  const errors: FieldError[] = [];
  if (!isTimeZone(input.timezone))
    errors.push({
      pointer: '/timezone',
      message: `is not a time zone: "${input.timezone}" (an IANA name such as Europe/Berlin)`,
    });
  if (input.ends_at !== undefined && Date.parse(input.ends_at) <= Date.parse(input.starts_at))
    errors.push({
      pointer: '/ends_at',
      message: `must be after starts_at (${input.starts_at}): an event ends later than it starts`,
    });
  if (errors.length) throw Problem.validation(errors);
  const row = await createRecruitingEvent(sql, input);
  if (!row)
    throw new Problem(409, 'Name taken', `An event named "${input.name}" exists; choose another name.`, [
      { pointer: '/name', message: `is taken: "${input.name}"` },
    ]);
  return viewOf(row, await eventNumbers(sql, row));
}

export async function eventView(sql: Sql, idOrName: string): Promise<EventView | undefined> {
  const row = await getRecruitingEvent(sql, idOrName);
  return row && viewOf(row, await eventNumbers(sql, row));
}

export function viewOf(row: RecruitingEventRow, numbers: EventNumbers): EventView {
  return {
    ...eventRef(row),
    capacity: row.capacity,
    status: row.status,
    created_at: row.created_at,
    closed_at: row.closed_at,
    numbers,
  };
}

/** The event's answers and attendance, with what the campaigns inviting to it did. */
export async function eventNumbers(sql: Sql, row: RecruitingEventRow): Promise<EventNumbers> {
  const campaigns = await sql<{ id: string; recruiting_event_id: string | null }[]>`
    select id, recruiting_event_id from campaigns where recruiting_event_id = ${row.id}`;
  const [rsvps, ...each] = await Promise.all([
    rsvpNumbers(sql, row.id),
    ...campaigns.map((c) => campaignNumbers(sql, c)),
  ]);
  const sum = (key: 'enrolled' | 'skipped' | 'sent' | 'clicked' | 'replied' | 'converted') =>
    each.reduce((n, c) => n + c[key], 0);
  const skippedByReason: Record<string, number> = {};
  for (const c of each)
    for (const [reason, n] of Object.entries(c.skipped_by_reason))
      skippedByReason[reason] = (skippedByReason[reason] ?? 0) + n;
  return {
    campaigns: campaigns.length,
    invited: sum('enrolled'),
    skipped: sum('skipped'),
    skipped_by_reason: skippedByReason,
    sent: sum('sent'),
    clicked: sum('clicked'),
    replied: sum('replied'),
    converted: sum('converted'),
    ...rsvps,
    seats_left: row.capacity === null ? null : Math.max(0, row.capacity - rsvps.going),
  };
}

/** The candidate's answer, and the `candidate.rsvp` of every change it made; undefined once started. */
export async function respond(
  deps: IntakeDeps,
  input: { event: RecruitingEventRow; candidateId: string; answer: RsvpAnswer },
): Promise<RsvpRow | undefined> {
  const { event, candidateId, answer } = input;
  const answered = await answerRsvp(deps.sql, { eventId: event.id, candidateId, answer });
  if (!answered) return undefined;
  await recordRsvps(deps, event);
  return answered.rsvp;
}

/** A change someone else recorded first, or one a newer change replaced: nothing to record. */
class AlreadyRecorded extends Error {}

/** Accepts the event unless `claim`, in the same transaction, says it is not this caller's to record. */
async function acceptOnce(
  deps: IntakeDeps,
  event: Parameters<typeof acceptSubjectEvent>[1],
  claim: (tx: Db) => Promise<boolean>,
): Promise<void> {
  try {
    await acceptSubjectEvent(deps, event, async (tx) => {
      if (!(await claim(tx))) throw new AlreadyRecorded();
    });
  } catch (error) {
    if (!(error instanceof AlreadyRecorded)) throw error;
  }
}

/**
 * Records `candidate.rsvp` for every change of an answer not recorded yet — the one just made, a seat
 * the waitlist gave, or a change a crash left unrecorded — each once (the event's id is the change's),
 * and only the latest: a change replaced before it was recorded is skipped, so a candidate's last
 * `candidate.rsvp` always says where they stand.
 */
export async function recordRsvps(deps: IntakeDeps, event: RecruitingEventRow): Promise<void> {
  for (const rsvp of await unrecordedRsvps(deps.sql, event.id)) {
    await acceptOnce(
      deps,
      {
        subject: { candidateId: rsvp.candidate_id },
        type: 'candidate.rsvp',
        source: 'rsvp',
        id: `${event.id}/${rsvp.candidate_id}/${rsvp.version}`,
        data: {
          recruiting_event: eventRef(event),
          answer: rsvp.answer,
          status: rsvp.status,
          promoted: rsvp.promoted_at !== null,
        },
      },
      (tx) => claimRsvpRecording(tx, rsvp),
    );
  }
}

/** Check-in by id or email: 404 for an unknown event, 409 once it is closed. */
export async function recordCheckIn(
  sql: Sql,
  idOrName: string,
  who: { candidateIds?: string[]; emails?: string[] },
): Promise<CheckIn> {
  const event = await getRecruitingEvent(sql, idOrName);
  if (!event) throw Problem.notFound(`Recruiting event ${idOrName}`);
  const done = await checkIn(sql, event.id, who);
  if (!done)
    throw new Problem(
      409,
      'Event is closed',
      `${event.name} is closed: attendance was decided when it closed; nothing changed.`,
    );
  return done;
}

/**
 * Closes an event: everyone checked in attended, everyone going who did not come is a no-show, each
 * recorded as `event.attended` / `event.no_show` once. Closing again changes nothing; outcomes a crash
 * kept from being recorded are recorded by the next close, or by the sweep.
 */
export async function closeEvent(deps: IntakeDeps, idOrName: string): Promise<EventView> {
  const event = await getRecruitingEvent(deps.sql, idOrName);
  if (!event) throw Problem.notFound(`Recruiting event ${idOrName}`);
  await recordRsvps(deps, event);
  await closeWithOutcomes(deps.sql, event.id);
  await recordOutcomes(deps, event);
  return (await eventView(deps.sql, event.id))!;
}

/** Records `event.attended` / `event.no_show` for each outcome decided and not recorded yet, once. */
export async function recordOutcomes(deps: IntakeDeps, event: RecruitingEventRow): Promise<void> {
  for (const rsvp of await unrecordedOutcomes(deps.sql, event.id)) {
    await acceptOnce(
      deps,
      {
        subject: { candidateId: rsvp.candidate_id },
        type: rsvp.outcome === 'attended' ? 'event.attended' : 'event.no_show',
        source: 'rapport',
        id: `${event.id}/${rsvp.candidate_id}/outcome`,
        data: { recruiting_event: eventRef(event), checked_in_at: rsvp.checked_in_at?.toISOString() ?? null },
      },
      (tx) => claimOutcomeRecording(tx, rsvp),
    );
  }
}

/** Closes the events that ended more than CLOSE_AFTER_MS ago; says how many. */
export async function closeEndedEvents(deps: IntakeDeps, now = new Date()): Promise<number> {
  const due = await eventsToClose(deps.sql, new Date(now.getTime() - CLOSE_AFTER_MS));
  for (const id of due) await closeEvent(deps, id);
  return due.length;
}
