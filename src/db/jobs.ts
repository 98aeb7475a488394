// Jobs: upserted by (source, external id) from job events, read as playbooks see them (`job`).
import type { JobInput } from '../domain.js';
import type { Db } from './client.js';

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
