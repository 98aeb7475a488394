// Rediscovery for the `find` step of job playbooks: past and passive candidates who fit a job, best first,
// in one parameterised query.
//
// Input values come rendered from Liquid, so every list entry is split on commas, trimmed and blanks are
// dropped (`["go,postgres, kafka", ""]` is three skills); skills, location and seniority are also
// lower-cased. A blank location or seniority means no such filter.
//
// Match (all given criteria must hold):
// - skills: at least one in common, compared trimmed and case-insensitively. No skills given: no filter.
// - tags: the candidate has every tag of `match.tags` (tags are compared exactly).
// - location: the candidate's location contains the job's or the job's contains the candidate's
//   (case-insensitive: "Berlin" matches "Berlin, Germany" and back), or the candidate's location has the
//   word "remote", which matches any location. A candidate without a location does not match.
// - seniority: `custom->>'seniority'` equals it case-insensitively; a candidate with none still matches
//   and ranks after those who match it.
// Exclude: candidates who cannot or must not be contacted: unsubscribed, without email consent, hired
// (stage `hired` or tag `hired`), with any tag of `exclude.tags`, contacted within `exclude.contacted_within`
// (a message in status sent, sending, unknown or recorded, created or sent within the window before `now`),
// `options.excludeIds`, and with `options.excludeJob` those with a journey for that job.
// Rank: by the first `prefer` tag the candidate has (earlier in the list is better; `nurtured` is also had
// by a candidate who has or had a journey in a playbook of stage `nurture`, per the published version the
// journey ran), then seniority known to match, then the number of matched skills (desc), then the most
// recently updated, then id. At most `limit` ids, and never more than 1000.
//
// The same query answers why each candidate was found (the console's job page): the skills in common, the
// preferred tag that ranked them, their location and seniority.
import { addDuration, parseDuration } from '../interpreter/duration.js';
import type { Db } from './client.js';

export interface FindQuery {
  match: { skills?: string[]; location?: string; tags?: string[]; seniority?: string };
  limit: number;
  prefer?: string[];
  exclude?: { tags?: string[]; contacted_within?: string };
}

const MAX_LIMIT = 1000;

/** A candidate found, and why: what of the query they matched. */
export interface RankedCandidate {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  location: string | null;
  /** The job's skills the candidate has (as compared: trimmed, lower-cased). */
  matched_skills: string[];
  /** The first `prefer` tag the candidate has, which ranked them first. */
  preferred: string | null;
  /** The candidate's seniority when the query named one (it matched, or the candidate has none). */
  seniority: string | null;
}

export interface FindOptions {
  now?: Date;
  excludeIds?: string[];
  /** Leaves out candidates who have (or had) a journey for this job. */
  excludeJob?: string;
}

/** Candidate ids matching the query, best first. */
export async function findCandidates(db: Db, query: FindQuery, options: FindOptions = {}): Promise<string[]> {
  return (await rankCandidates(db, query, options)).map((row) => row.id);
}

/** Candidates matching the query, best first, each with what it matched. */
export async function rankCandidates(
  db: Db,
  query: FindQuery,
  options: FindOptions = {},
): Promise<RankedCandidate[]> {
  const limit = Math.min(Math.floor(query.limit), MAX_LIMIT);
  if (!(limit > 0)) return [];
  const skills = [...new Set(entries(query.match.skills).map((s) => s.toLowerCase()))];
  const tags = [...new Set(entries(query.match.tags))];
  const location = query.match.location?.trim().toLowerCase() ?? '';
  const seniority = query.match.seniority?.trim().toLowerCase() ?? '';
  const prefer = entries(query.prefer);
  const excludeTags = [...new Set(['hired', ...entries(query.exclude?.tags)])];
  const excludeIds = options.excludeIds ?? [];
  const since = contactedSince(query.exclude?.contacted_within, options.now ?? new Date());

  return db<RankedCandidate[]>`
    select c.id, c.first_name, c.last_name, c.email, c.location, r.matched_skills,
      (${prefer}::text[])[r.prefer_rank] as preferred,
      ${seniority ? db`nullif(btrim(c.custom ->> 'seniority'), '')` : db`null::text`} as seniority
    from candidates c
    cross join lateral (
      select
        (select min(p.ord) from unnest(${prefer}::text[]) with ordinality as p (tag, ord)
          where p.tag = any (c.tags)
            or (p.tag = 'nurtured' and exists (
              select 1 from journeys j
              join playbook_versions v on v.playbook = j.playbook and v.version = j.playbook_version
              where j.candidate_id = c.id and v.stage = 'nurture'))) as prefer_rank,
        array(select k from unnest(skill_keys(c.skills)) as k where k = any (${skills}::text[])) as matched_skills
    ) r
    where c.unsubscribed_at is null and c.consent_email
      and lower(c.stage) is distinct from 'hired'
      and not (c.tags && ${excludeTags}::text[])
      ${skills.length ? db`and skill_keys(c.skills) && ${skills}::text[]` : db``}
      ${tags.length ? db`and c.tags @> ${tags}::text[]` : db``}
      ${
        location
          ? db`and (c.location ~* '\\mremote\\M'
              or (btrim(c.location) <> '' and (strpos(lower(c.location), ${location}) > 0
                or strpos(${location}, lower(btrim(c.location))) > 0)))`
          : db``
      }
      ${seniority ? db`and coalesce(lower(btrim(c.custom ->> 'seniority')), '') in ('', ${seniority})` : db``}
      ${
        since
          ? db`and not exists (
              select 1 from messages m
              where m.candidate_id = c.id and m.status in ('sent', 'sending', 'unknown', 'recorded')
                and greatest(m.created_at, m.sent_at) >= ${since})`
          : db``
      }
      ${excludeIds.length ? db`and c.id <> all (${excludeIds}::uuid[])` : db``}
      ${
        options.excludeJob
          ? db`and not exists (select 1 from journeys j where j.job_id = ${options.excludeJob} and j.candidate_id = c.id)`
          : db``
      }
    order by r.prefer_rank nulls last,
      ${seniority ? db`coalesce(lower(btrim(c.custom ->> 'seniority')), '') = '',` : db``}
      cardinality(r.matched_skills) desc, c.updated_at desc, c.id
    limit ${limit}`;
}

/** List entries as rendered: comma-separated values split, trimmed, blanks dropped. */
export function entries(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => String(v).split(',')).flatMap((v) => v.trim() || []);
}

/** The start of the "contacted within" window, or undefined when there is none. */
function contactedSince(within: string | undefined, now: Date): Date | undefined {
  if (!within?.trim()) return undefined;
  const duration = parseDuration(within.trim());
  if (!duration) throw new Error(`find: contacted_within is not a duration: ${within}`);
  return new Date(addDuration(now.toISOString(), { months: -duration.months, ms: -duration.ms }));
}
