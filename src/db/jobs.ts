// Jobs: upserted by (source, external id) from job events, read as playbooks see them (`job`).
import type { JobInput } from '../domain.js';
import type { Db } from './client.js';
import { afterCursor, type Page } from './paging.js';

/** A job as playbooks and templates see it. */
export interface Job {
  id: string;
  title: string;
  location: string | null;
  skills: string[];
  seniority: string | null;
  tags: string[];
  status: 'open' | 'closed';
  owner: string | null;
  custom: Record<string, unknown>;
}

/** Creates or updates the job; `status` opens or closes it. Absent fields are left unchanged. */
export async function upsertJob(
  db: Db,
  input: JobInput,
  source: string,
  status: 'open' | 'closed' | undefined,
): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into jobs (source, external_id, title, location, skills, seniority, tags, owner, custom, status, closed_at)
    values (${source}, ${input.external_id}, ${input.title ?? input.external_id}, ${input.location ?? null},
      ${input.skills ?? []}, ${input.seniority ?? null}, ${input.tags ?? []}, ${input.owner ?? null},
      ${db.json((input.custom ?? {}) as never)}, ${status ?? 'open'},
      ${status === 'closed' ? db`now()` : null})
    on conflict (source, external_id) do update set
      title = coalesce(${input.title ?? null}, jobs.title),
      location = coalesce(${input.location ?? null}, jobs.location),
      skills = coalesce(${input.skills ?? null}, jobs.skills),
      seniority = coalesce(${input.seniority ?? null}, jobs.seniority),
      tags = coalesce(${input.tags ?? null}, jobs.tags),
      owner = coalesce(${input.owner ?? null}, jobs.owner),
      custom = jobs.custom || ${db.json((input.custom ?? {}) as never)},
      status = coalesce(${status ?? null}, jobs.status),
      opened_at = case when ${status ?? null}::text = 'open' and jobs.status = 'closed' then now() else jobs.opened_at end,
      closed_at = case when ${status ?? null}::text = 'closed' then coalesce(jobs.closed_at, now())
                       when ${status ?? null}::text = 'open' then null else jobs.closed_at end
    returning id`;
  return row!.id;
}

export async function getJob(db: Db, id: string): Promise<Job | undefined> {
  const [row] = await db<Job[]>`
    select id, title, location, skills, seniority, tags, status, owner, custom from jobs where id = ${id}`;
  return row;
}

/** A job as the API shows it. */
export interface JobRow extends Job {
  source: string | null;
  external_id: string | null;
  opened_at: Date;
  closed_at: Date | null;
  created_at: Date;
}

const JOB_COLUMNS = [
  'id',
  'source',
  'external_id',
  'title',
  'location',
  'skills',
  'seniority',
  'tags',
  'status',
  'owner',
  'custom',
  'opened_at',
  'closed_at',
];

export async function getJobRow(db: Db, id: string): Promise<JobRow | undefined> {
  const [row] = await db<JobRow[]>`
    select ${db(JOB_COLUMNS)}, opened_at as created_at from jobs where id = ${id}`;
  return row;
}

/** Jobs, most recently opened first, one page plus one row. */
export function listJobs(db: Db, status: 'open' | 'closed' | undefined, page: Page) {
  return db<JobRow[]>`
    select ${db(JOB_COLUMNS)}, opened_at as created_at from jobs
    where true
      ${status ? db`and status = ${status}` : db``}
      ${afterCursor(db, page, 'opened_at')}
    order by opened_at desc, id desc limit ${page.limit + 1}`;
}

/** The candidates a job's playbooks enrolled (rediscovered), with the journey each is in. */
export function jobCandidates(db: Db, jobId: string) {
  return db<
    {
      candidate_id: string;
      first_name: string | null;
      last_name: string | null;
      email: string | null;
      journey_id: string;
      playbook: string;
      status: string;
      current_step: string | null;
      started_at: Date;
      ended_at: Date | null;
    }[]
  >`
    select c.id as candidate_id, c.first_name, c.last_name, c.email, j.id as journey_id, j.playbook, j.status,
      j.current_step, j.started_at, j.ended_at
    from journeys j join candidates c on c.id = j.candidate_id
    where j.job_id = ${jobId} and c.erased_at is null
    order by j.started_at, j.id limit 1000`;
}

/** The job's own timeline: what its playbooks found and did. */
export function jobTimeline(db: Db, jobId: string) {
  return db<
    {
      id: string;
      kind: string;
      summary: string;
      journey_id: string | null;
      step: string | null;
      data: unknown;
      occurred_at: Date;
    }[]
  >`
    select id::text, kind, summary, journey_id, step, data, occurred_at from interactions
    where job_id = ${jobId} and candidate_id is null order by occurred_at, id limit 500`;
}

/** Closes an open job; false when it was closed already. */
export async function closeJobRow(db: Db, id: string): Promise<boolean> {
  const rows = await db`
    update jobs set status = 'closed', closed_at = now() where id = ${id} and status = 'open'`;
  return rows.count === 1;
}

export async function findJob(db: Db, source: string, externalId: string): Promise<JobRow | undefined> {
  const [row] = await db<JobRow[]>`
    select ${db(JOB_COLUMNS)}, opened_at as created_at from jobs
    where source = ${source} and external_id = ${externalId}`;
  return row;
}

/**
 * The latest rediscovery of each of the job's `find` steps (a reopened job ran them again): the playbook,
 * the step, the query it ran.
 */
export function jobFinds(db: Db, jobId: string) {
  return db<{ playbook: string; step: string; query: unknown; candidates: number; occurred_at: Date }[]>`
    select distinct on (j.playbook, i.step) j.playbook, i.step, i.data -> 'query' as query,
      coalesce((i.data ->> 'candidates')::int, 0) as candidates, i.occurred_at
    from interactions i join journeys j on j.id = i.journey_id
    where i.job_id = ${jobId} and i.candidate_id is null and i.kind = 'job.found'
    order by j.playbook, i.step, i.occurred_at desc, i.id desc`;
}

/** How many candidates have (or had) a journey for each of these jobs. */
export async function enrolledCounts(db: Db, jobIds: string[]): Promise<Map<string, number>> {
  if (!jobIds.length) return new Map();
  const rows = await db<{ job_id: string; n: number }[]>`
    select j.job_id, count(distinct j.candidate_id)::int as n
    from journeys j join candidates c on c.id = j.candidate_id
    where j.job_id = any (${jobIds}::uuid[]) and c.erased_at is null group by j.job_id`;
  return new Map(rows.map((r) => [r.job_id, r.n]));
}
