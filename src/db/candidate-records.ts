// What recruiters do with candidate records besides events: search them, correct them, write notes,
// export everything held about one person, and erase it.
import type { Candidate } from '../domain.js';
import type { Db } from './client.js';
import { rememberErasure } from './erasures.js';
import { forgetPayloadsAbout } from './source-payloads.js';
import { recordTimeline } from './timeline.js';
import { afterCursor, type Page } from './paging.js';

export interface CandidateFilter {
  /** Words matched against names and email. */
  q?: string | undefined;
  /** Every one of these tags. */
  tags: string[];
  stage?: string | undefined;
  employmentStatus?: string | undefined;
  /** Candidates with a journey in this playbook that has not ended. */
  playbook?: string | undefined;
}

export interface CandidateListItem {
  id: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  tags: string[];
  stage: string | null;
  employment_status: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Candidates matching the filter, newest first, one page (plus one row to tell whether more follow). */
export function searchCandidates(db: Db, filter: CandidateFilter, page: Page) {
  const words = (filter.q ?? '').trim().toLowerCase().split(/\s+/).filter(Boolean).slice(0, 10);
  const like = (w: string) => `%${w.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const matching = words.reduce(
    (all, w) =>
      db`${all} and concat_ws(' ', email_normalized, lower(first_name), lower(last_name)) like ${like(w)}`,
    db``,
  );
  return db<CandidateListItem[]>`
    select id, email, first_name, last_name, tags, stage, employment_status, created_at, updated_at
    from candidates
    where erased_at is null
      ${matching}
      ${filter.tags.length ? db`and tags @> ${filter.tags}::text[]` : db``}
      ${filter.stage ? db`and stage = ${filter.stage}` : db``}
      ${filter.employmentStatus ? db`and employment_status = ${filter.employmentStatus}` : db``}
      ${
        filter.playbook
          ? db`and exists (select 1 from journeys j where j.candidate_id = candidates.id
              and j.playbook = ${filter.playbook} and j.ended_at is null)`
          : db``
      }
      ${afterCursor(db, page)}
    order by created_at desc, id desc
    limit ${page.limit + 1}`;
}

/** A recruiter's correction. Fields given replace the stored ones (null clears); `custom` is merged. */
export interface CandidatePatch {
  email?: string;
  first_name?: string | null;
  last_name?: string | null;
  phone?: string | null;
  timezone?: string | null;
  locale?: string | null;
  location?: string | null;
  tags?: string[];
  skills?: string[];
  stage?: string | null;
  employment_status?: string | null;
  consent?: { email?: boolean; sms?: boolean };
  birthday?: string | null;
  owner?: string | null;
  custom?: Record<string, unknown>;
}

/** Applies the patch; false when the email belongs to another candidate. */
export async function patchCandidate(db: Db, id: string, patch: CandidatePatch): Promise<boolean> {
  const { consent, custom, ...fields } = patch;
  const set: Record<string, unknown> = { ...fields, updated_at: new Date() };
  if (consent?.email !== undefined) set.consent_email = consent.email;
  if (consent?.sms !== undefined) set.consent_sms = consent.sms;
  try {
    await db`
      update candidates set ${db(set as Record<string, never>)}
        ${custom ? db`, custom = jsonb_strip_nulls(custom || ${db.json(custom as never)})` : db``}
      where id = ${id}`;
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '23505') return false;
    throw error;
  }
}

export interface Note {
  id: number;
  text: string;
  author: string | null;
  occurred_at: string;
}

export async function addNote(db: Db, candidateId: string, text: string, author?: string): Promise<Note> {
  const row = await recordTimeline(db, { kind: 'note', candidateId, text, author: author ?? null });
  return { id: Number(row!.id), text, author: author ?? null, occurred_at: row!.occurred_at.toISOString() };
}

export async function listNotes(db: Db, candidateId: string): Promise<Note[]> {
  const rows = await db<{ id: string; summary: string; author: string | null; occurred_at: Date }[]>`
    select id, summary, data ->> 'author' as author, occurred_at from interactions
    where candidate_id = ${candidateId} and kind = 'note' order by occurred_at, id`;
  return rows.map((r) => ({
    id: Number(r.id),
    text: r.summary,
    author: r.author,
    occurred_at: r.occurred_at.toISOString(),
  }));
}

/** Everything held about a candidate, for a subject access request. */
export async function exportCandidate(db: Db, candidate: Candidate) {
  const id = candidate.id;
  const [externalIds, events, journeys, messages, timeline, tasks] = await Promise.all([
    db`select source, external_id, created_at from candidate_external_ids where candidate_id = ${id} order by created_at`,
    db`select id, source, source_event_id, type, data, occurred_at, received_at from events
       where candidate_id = ${id} order by received_at, id`,
    db`select id, playbook, playbook_version, status, current_step, started_at, ended_at, exit_reason from journeys
       where candidate_id = ${id} order by started_at, id`,
    db`select id, journey_id, step, channel, template, to_address, from_address, subject, body_text, status,
         status_reason, created_at, sent_at from messages where candidate_id = ${id} order by created_at, id`,
    db`select id::text, kind, summary, journey_id, step, data, occurred_at from interactions
       where candidate_id = ${id} order by occurred_at, id`,
    db`select id, title, assignee, status, due_at, created_at, completed_at from tasks
       where candidate_id = ${id} order by created_at, id`,
  ]);
  return {
    exported_at: new Date().toISOString(),
    candidate,
    external_ids: externalIds,
    events,
    journeys,
    messages,
    timeline,
    tasks,
  };
}

/**
 * Erasure: every personal field of the candidate and everything written about them is scrubbed; the
 * rows stay, without content, so counts by stage, playbook, channel and outcome still add up. Answers
 * what happened, and the kept source payloads forgotten (their enrichment workflows hold them too).
 */
export async function eraseCandidate(
  db: Db,
  id: string,
): Promise<{ status: 'erased' | 'already' | 'unknown'; payloads: string[] }> {
  // `no key update`: rows that reference the candidate (a journey's timeline entry written by an activity
  // at this moment) take a key-share lock on it, which this must not wait for or deadlock with.
  const [candidate] = await db<{ erased: boolean }[]>`
    select erased_at is not null as erased from candidates where id = ${id} for no key update`;
  if (!candidate) return { status: 'unknown', payloads: [] };
  // What their ATS sent about them, kept because it did not become an event (or to enrich), goes first,
  // while the email and the ids that find it are still there; so do the digests that keep old events
  // naming them from bringing them back.
  const payloads = await forgetPayloadsAbout(db, id);
  await rememberErasure(db, id);
  // Scrubbing again is harmless, and catches what an activity still in flight wrote after the first time.
  await db`
    update candidates set email = null, first_name = null, last_name = null, phone = null, timezone = null,
      locale = null, location = null, tags = '{}', skills = '{}', employment_status = null,
      consent_email = false, consent_sms = false, birthday = null, owner = null, custom = '{}',
      erased_at = coalesce(erased_at, now()), updated_at = now()
    where id = ${id}`;
  await db`delete from candidate_external_ids where candidate_id = ${id}`;
  // Hand-picked lists name them; a campaign still to reach them skips them as erased.
  await db`delete from pool_members where candidate_id = ${id}`;
  // Which recruiting events they answered and came to; the event's counts lose them.
  await db`delete from event_rsvps where candidate_id = ${id}`;
  await db`update events set data = '{}' where candidate_id = ${id}`;
  await db`
    update journeys set status = 'cancelled', exit_reason = 'erased', ended_at = now(), updated_at = now()
    where candidate_id = ${id} and ended_at is null`;
  // An ended journey's reason may quote them (a failure's message); a playbook's own exit name stays.
  await db`
    update journeys set exit_reason = 'erased'
    where candidate_id = ${id} and exit_reason is not null and exit_reason !~ '^[a-z0-9_.-]{1,64}$'`;
  await db`
    update messages set to_address = null, from_address = null, subject = null, body_text = null,
      body_html = null, provider_id = null, status_reason = null,
      status = case when status in ('pending', 'sending') then 'cancelled' else status end,
      updated_at = now()
    where candidate_id = ${id}`;
  await db`update interactions set summary = kind, data = '{}' where candidate_id = ${id} and kind <> 'erased'`;
  await db`
    update tasks set title = 'Erased', assignee = null,
      status = case when status = 'open' then 'cancelled' else status end
    where candidate_id = ${id}`;
  if (candidate.erased) return { status: 'already', payloads };
  await recordTimeline(db, { kind: 'erased', candidateId: id });
  return { status: 'erased', payloads };
}
