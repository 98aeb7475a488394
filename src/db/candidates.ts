// Candidates: upsert by identity (a source's external id, then the normalized email) and read back.
import type { Candidate, CandidateInput, TimelineEntry } from '../domain.js';
import { hasFacts, type EventFacts } from '../events/facts.js';
import type { Db as Tx } from './client.js';
import { mergeCandidates } from './candidate-merge.js';

/** A row of `candidates` as selected below: the public shape, with consent split and timestamps as dates. */
type CandidateRow = Omit<Candidate, 'consent' | 'unsubscribed_at' | 'created_at' | 'updated_at'> & {
  consent_email: boolean;
  consent_sms: boolean;
  unsubscribed_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

export interface Upserted {
  id: string;
  created: boolean;
  /** A duplicate folded into this candidate (its workflow must be ended by the caller). */
  merged?: string;
}

/**
 * Finds the candidate by the source's external id or by normalized email and merges the input into it,
 * or creates it. Tags and skills are added, never removed; absent fields are left unchanged. When the
 * external id and the email name two different candidates, they are one person: the email's candidate is
 * merged into the external id's.
 */
export async function upsertCandidate(tx: Tx, input: CandidateInput, source: string): Promise<Upserted> {
  let id: string | undefined;
  let merged: string | undefined;
  let created = false;
  const externalId = input.external_id;
  if (externalId !== undefined) {
    const [row] = await tx<{ candidate_id: string }[]>`
      select candidate_id from candidate_external_ids where source = ${source} and external_id = ${externalId}`;
    id = row?.candidate_id;
    if (id !== undefined && input.email !== undefined) {
      const [other] = await tx<{ id: string }[]>`
        select id from candidates where email_normalized = lower(btrim(${input.email})) and id <> ${id}`;
      if (other) {
        await mergeCandidates(tx, id, other.id);
        merged = other.id;
      }
    }
  }
  if (id === undefined) {
    const [row] = await upsertByEmail(tx, input, source);
    id = row!.id;
    created = row!.created;
  } else {
    const fields = candidateFields(input);
    await tx`
      update candidates set
        email = coalesce(${fields.email}, email),
        first_name = coalesce(${fields.first_name}, first_name),
        last_name = coalesce(${fields.last_name}, last_name),
        phone = coalesce(${fields.phone}, phone),
        timezone = coalesce(${fields.timezone}, timezone),
        locale = coalesce(${fields.locale}, locale),
        location = coalesce(${fields.location}, location),
        consent_email = coalesce(${fields.consent_email}::boolean, consent_email),
        consent_sms = coalesce(${fields.consent_sms}::boolean, consent_sms),
        birthday = coalesce(${fields.birthday}::date, birthday),
        owner = coalesce(${fields.owner}, owner),
        tags = array(select distinct unnest(tags || ${fields.tags}::text[])),
        skills = array(select distinct unnest(skills || ${fields.skills}::text[])),
        custom = custom || ${tx.json(fields.custom as never)},
        updated_at = now()
      where id = ${id}`;
  }
  if (externalId !== undefined) {
    await tx`
      insert into candidate_external_ids (source, external_id, candidate_id)
      values (${source}, ${externalId}, ${id}) on conflict do nothing`;
  }
  return { id, created, ...(merged ? { merged } : {}) };
}

/** The input's columns, absent ones as null (lists empty): what an upsert writes or merges. */
function candidateFields(input: CandidateInput) {
  return {
    email: input.email,
    first_name: input.first_name ?? null,
    last_name: input.last_name ?? null,
    phone: input.phone ?? null,
    timezone: input.timezone ?? null,
    locale: input.locale ?? null,
    location: input.location ?? null,
    consent_email: input.consent?.email ?? null,
    consent_sms: input.consent?.sms ?? null,
    birthday: input.birthday ?? null,
    owner: input.owner ?? null,
    tags: input.tags ?? [],
    skills: input.skills ?? [],
    custom: input.custom ?? {},
  };
}

/**
 * Creates the candidate with this email, or merges the input into the one that has it: one statement,
 * which callers may run alone or inside a larger one (see insertCandidateEvent).
 */
export function upsertByEmail(tx: Tx, input: CandidateInput, source: string) {
  const fields = candidateFields(input);
  return tx<{ id: string; created: boolean }[]>`
      insert into candidates (email, first_name, last_name, phone, timezone, locale, location, consent_email,
        consent_sms, birthday, owner, tags, skills, custom, source)
      values (${fields.email}, ${fields.first_name}, ${fields.last_name}, ${fields.phone}, ${fields.timezone},
        ${fields.locale}, ${fields.location}, ${fields.consent_email ?? false}, ${fields.consent_sms ?? false},
        ${fields.birthday}, ${fields.owner}, ${fields.tags}, ${fields.skills}, ${tx.json(fields.custom as never)}, ${source})
      on conflict (email_normalized) where email_normalized is not null do update set
        first_name = coalesce(excluded.first_name, candidates.first_name),
        last_name = coalesce(excluded.last_name, candidates.last_name),
        phone = coalesce(excluded.phone, candidates.phone),
        timezone = coalesce(excluded.timezone, candidates.timezone),
        locale = coalesce(excluded.locale, candidates.locale),
        location = coalesce(excluded.location, candidates.location),
        consent_email = coalesce(${fields.consent_email}::boolean, candidates.consent_email),
        consent_sms = coalesce(${fields.consent_sms}::boolean, candidates.consent_sms),
        birthday = coalesce(excluded.birthday, candidates.birthday),
        owner = coalesce(excluded.owner, candidates.owner),
        tags = array(select distinct unnest(candidates.tags || excluded.tags)),
        skills = array(select distinct unnest(candidates.skills || excluded.skills)),
        custom = candidates.custom || excluded.custom,
        updated_at = now()
      returning id, (xmax = 0) as created`;
}

/** Records what an event says about the candidate (see src/events/facts.ts); an unsubscribe stays the first. */
export async function applyEventFacts(tx: Tx, candidateId: string, facts: EventFacts): Promise<void> {
  if (!hasFacts(facts)) return;
  await tx`
    update candidates set
      unsubscribed_at = coalesce(unsubscribed_at, ${facts.unsubscribed_at ?? null}::timestamptz),
      stage = coalesce(${facts.stage ?? null}, stage),
      updated_at = now()
    where id = ${candidateId}`;
}

export async function getCandidate(sql: Tx, id: string): Promise<Candidate | undefined> {
  const [row] = await sql<CandidateRow[]>`
    select id, email, first_name, last_name, phone, timezone, locale, location, tags, skills, stage,
      employment_status, consent_email, consent_sms, unsubscribed_at, to_char(birthday, 'YYYY-MM-DD') as birthday,
      source, owner, custom, created_at, updated_at
    from candidates where id = ${id} and erased_at is null`;
  return row && toCandidate(row);
}

export async function getTimeline(sql: Tx, candidateId: string, limit = 500): Promise<TimelineEntry[]> {
  const rows = await sql<(Omit<TimelineEntry, 'occurred_at' | 'id'> & { id: string; occurred_at: Date })[]>`
    select id, kind, summary, journey_id, step, message_id, event_id, data, occurred_at
    from interactions where candidate_id = ${candidateId}
    order by occurred_at, id limit ${limit}`;
  return rows.map((r) => ({ ...r, id: Number(r.id), occurred_at: r.occurred_at.toISOString() }));
}

function toCandidate(row: CandidateRow): Candidate {
  const { consent_email, consent_sms, unsubscribed_at, created_at, updated_at, ...rest } = row;
  return {
    ...rest,
    consent: { email: consent_email, sms: consent_sms },
    unsubscribed_at: unsubscribed_at?.toISOString() ?? null,
    created_at: created_at.toISOString(),
    updated_at: updated_at.toISOString(),
  };
}

/** The live candidates named by id or email (each once), and the names that match nobody. */
export async function findCandidates(
  db: Tx,
  input: { candidateIds?: string[]; emails?: string[] },
): Promise<{ candidates: string[]; unknown: string[] }> {
  const ids = [...new Set(input.candidateIds ?? [])];
  const emails = [...new Set((input.emails ?? []).map((e) => e.trim().toLowerCase()))];
  const found = await db<{ key: string; id: string }[]>`
    select c.id::text as key, c.id from candidates c where c.id = any (${ids}::uuid[]) and c.erased_at is null
    union all
    select c.email_normalized, c.id from candidates c
    where c.email_normalized = any (${emails}::text[]) and c.erased_at is null`;
  const known = new Set(found.map((f) => f.key));
  return {
    candidates: [...new Set(found.map((f) => f.id))],
    unknown: [...ids, ...emails].filter((k) => !known.has(k)),
  };
}
