// Jobs: list (GET /v1/jobs), open (POST /v1/jobs → `job.opened`), read with the candidates its playbooks
// rediscovered (GET /{id}) and close (POST /{id}/close → `job.closed`). Opening and closing go through
// the job's workflow exactly like job events posted to /v1/events.
import { closeJobRow, findJob, getJobRow, jobCandidates, jobTimeline, listJobs } from '../db/jobs.js';
import type { JobInput } from '../domain.js';
import type { ApiDeps } from './deps.js';
import { acceptEvent, acceptSubjectEvent } from '../intake/accept.js';
import { operation, PAGE_QUERY, UUID_PARAM } from './operation.js';
import { paged, pageOf, type PageQuery } from './paging.js';
import { Problem } from './problem.js';

const JOB_ID = { id: { ...UUID_PARAM, description: 'Job (UUID)' } };

async function jobOf(deps: ApiDeps, id: string) {
  const job = await getJobRow(deps.sql, id);
  if (!job) throw Problem.notFound(`Job ${id}`);
  return job;
}

export const jobOperations = [
  operation<PageQuery & { status?: 'open' | 'closed' }>({
    method: 'get',
    path: '/v1/jobs',
    summary: 'Jobs, most recently opened first',
    access: { scope: 'jobs:read' },
    query: {
      status: { description: 'Only open or only closed jobs', schema: { enum: ['open', 'closed'] } },
      ...PAGE_QUERY,
    },
    answers: { 200: { description: '{ items, next_cursor }', schema: 'job-page.schema.json' } },
    async handle(c, { query }, deps) {
      const page = pageOf(query);
      return c.json(paged(await listJobs(deps.sql, query.status, page), page));
    },
  }),
  operation<object, JobInput>({
    method: 'post',
    path: '/v1/jobs',
    summary: 'Open a job (job.opened: its playbooks rediscover and enroll candidates)',
    access: { scope: 'jobs:write' },
    body: { json: 'job-input.schema.json' },
    answers: {
      201: {
        description: 'Opened',
        schema: 'job.schema.json',
        links: {
          read: { to: 'get /v1/jobs/{id}', with: { id: '$response.body#/id' } },
          close: { to: 'post /v1/jobs/{id}/close', with: { id: '$response.body#/id' } },
        },
      },
      200: { description: 'Already open, unchanged', schema: 'job.schema.json' },
      503: { description: 'Too many events wait for the workflow service; nothing stored' },
    },
    async handle(c, { body }, deps) {
      const { job, opened } = await openJob(deps, body);
      return c.json(job, opened ? 201 : 200);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/jobs/{id}',
    summary: 'A job with the candidates it rediscovered and its timeline',
    access: { scope: 'jobs:read' },
    params: JOB_ID,
    answers: {
      200: { description: 'The job', schema: 'job.schema.json' },
      404: { description: 'Unknown job' },
    },
    async handle(c, { params }, deps) {
      const job = await jobOf(deps, params.id!);
      const [candidates, timeline] = await Promise.all([
        jobCandidates(deps.sql, job.id),
        jobTimeline(deps.sql, job.id),
      ]);
      return c.json({ ...job, candidates, timeline });
    },
  }),
  operation({
    method: 'post',
    path: '/v1/jobs/{id}/close',
    summary: 'Close a job (job.closed: the journeys it started end)',
    access: { scope: 'jobs:write' },
    params: JOB_ID,
    answers: {
      200: { description: 'The job, closed', schema: 'job.schema.json' },
      404: { description: 'Unknown job' },
      409: { description: 'Closed already' },
    },
    async handle(c, { params }, deps) {
      return c.json(await closeJob(deps, (await jobOf(deps, params.id!)).id));
    },
  }),
];

/**
 * Opens a job (the API and the console): `job.opened` through the job's workflow, so its playbooks
 * rediscover candidates. Opening an open job again changes nothing (`opened: false`); a closed one reopens.
 */
export async function openJob(deps: ApiDeps, input: JobInput) {
  const existing = await findJob(deps.sql, 'api', input.external_id);
  if (existing?.status === 'open') return { job: existing, opened: false };
  const accepted = await acceptEvent(deps, { source: 'api', type: 'job.opened', job: input });
  const job = await getJobRow(deps.sql, accepted.job_id!);
  return { job: { ...job!, workflow_id: accepted.workflow_id }, opened: true };
}

/** Closes an open job (`job.closed`: the journeys it started end); 409 when it is closed already. */
export async function closeJob(deps: ApiDeps, id: string) {
  await acceptSubjectEvent(
    deps,
    { subject: { jobId: id }, type: 'job.closed', source: 'api' },
    async (tx) => {
      if (!(await closeJobRow(tx, id))) throw new Problem(409, 'Conflict', `Job ${id} is closed already.`);
    },
  );
  return (await getJobRow(deps.sql, id))!;
}
