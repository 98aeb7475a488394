// Jobs: list (GET /v1/jobs), open (POST /v1/jobs → `job.opened`), read with the candidates its playbooks
// rediscovered (GET /{id}) and close (POST /{id}/close → `job.closed`). Opening and closing go through
// the job's workflow exactly like job events posted to /v1/events.
import { Hono, type Context } from 'hono';
import { closeJobRow, findJob, getJobRow, jobCandidates, jobTimeline, listJobs } from '../db/jobs.js';
import type { JobInput } from '../domain.js';
import { jsonBody } from './body.js';
import type { ApiDeps } from './deps.js';
import { acceptEvent, acceptSubjectEvent } from './events.js';
import { pageOf, paged, queryChoice } from './paging.js';
import { isUuid } from './ids.js';
import { Problem } from './problem.js';

export function jobsRoutes(deps: ApiDeps) {
  const jobOf = async (c: Context) => {
    const id = c.req.param('id') ?? '';
    const job = isUuid(id) ? await getJobRow(deps.sql, id) : undefined;
    if (!job) throw Problem.notFound(`Job ${id}`);
    return job;
  };
  const app = new Hono();
  app.get('/', async (c) => {
    const page = pageOf(c);
    const status = queryChoice(c, 'status', ['open', 'closed'] as const);
    return c.json(paged(await listJobs(deps.sql, status, page), page));
  });
  app.post('/', async (c) => {
    const job = await jsonBody<JobInput>(c, 'job-input.schema.json');
    // Posting an open job again changes nothing; a new or closed one is opened.
    const existing = await findJob(deps.sql, 'api', job.external_id);
    if (existing?.status === 'open') return c.json(existing, 200);
    const accepted = await acceptEvent(deps, { source: 'api', type: 'job.opened', job });
    const opened = await getJobRow(deps.sql, accepted.job_id!);
    return c.json({ ...opened, workflow_id: accepted.workflow_id }, 201);
  });
  app.get('/:id', async (c) => {
    const job = await jobOf(c);
    const [candidates, timeline] = await Promise.all([
      jobCandidates(deps.sql, job.id),
      jobTimeline(deps.sql, job.id),
    ]);
    return c.json({ ...job, candidates, timeline });
  });
  app.post('/:id/close', async (c) => {
    const job = await jobOf(c);
    await acceptSubjectEvent(
      deps,
      { subject: { jobId: job.id }, type: 'job.closed', source: 'api' },
      async (tx) => {
        if (!(await closeJobRow(tx, job.id)))
          throw new Problem(409, 'Conflict', `Job ${job.id} is closed already.`);
      },
    );
    return c.json(await getJobRow(deps.sql, job.id));
  });
  return app;
}
