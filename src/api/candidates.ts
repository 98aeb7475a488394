// Candidates: search (GET /v1/candidates), create or merge (POST), read one with its journeys, messages
// and timeline (GET /{id}), and correct (PATCH /{id}, recorded as a `candidate.updated` event).
import { Hono, type Context } from 'hono';
import { getCandidate, getTimeline, upsertCandidate } from '../db/candidates.js';
import { patchCandidate, searchCandidates, type CandidatePatch } from '../db/candidate-records.js';
import { listJourneysForCandidate } from '../db/journeys.js';
import { listMessagesForCandidate } from '../db/messages.js';
import type { CandidateInput } from '../domain.js';
import { candidateWorkflowId } from '../../workflows/contract.js';
import { jsonBody } from './body.js';
import type { ApiDeps } from './deps.js';
import { acceptSubjectEvent, endMergedWorkflow } from './events.js';
import { pageOf, paged, queryProblem } from './paging.js';
import { isUuid } from './ids.js';
import { Problem } from './problem.js';

/** The candidate named by the route's `:id`, or 404. */
export async function candidateOf(c: Context, deps: ApiDeps) {
  const id = c.req.param('id') ?? '';
  const candidate = isUuid(id) ? await getCandidate(deps.sql, id) : undefined;
  if (!candidate) throw Problem.notFound(`Candidate ${id}`);
  return candidate;
}

export function candidatesRoutes(deps: ApiDeps) {
  const app = new Hono();
  app.get('/', async (c) => {
    const page = pageOf(c);
    const q = c.req.query('q');
    if (q !== undefined && q.length > 200) throw queryProblem('q', 'must be at most 200 characters');
    const rows = await searchCandidates(
      deps.sql,
      { q, tags: c.req.queries('tag') ?? [], stage: c.req.query('stage') },
      page,
    );
    return c.json(paged(rows, page));
  });
  app.post('/', async (c) => {
    const input = await jsonBody<CandidateInput>(c, 'candidate-input.schema.json');
    const upserted = await deps.sql.begin((tx) => upsertCandidate(tx, input, 'api'));
    if (upserted.merged) endMergedWorkflow(deps, upserted.merged, candidateWorkflowId(upserted.id));
    const candidate = await getCandidate(deps.sql, upserted.id);
    return c.json(candidate, upserted.created ? 201 : 200);
  });
  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    if (!isUuid(id)) throw Problem.notFound(`Candidate ${id}`);
    // One snapshot: a journey that ends between two reads must not show as ended on the timeline and
    // still waiting in the journey list.
    const view = await deps.sql.begin('isolation level repeatable read read only', async (tx) => {
      const candidate = await getCandidate(tx, id);
      if (!candidate) return undefined;
      const journeys = await listJourneysForCandidate(tx, id);
      const messages = await listMessagesForCandidate(tx, id);
      const timeline = await getTimeline(tx, id);
      return { ...candidate, journeys, messages, timeline };
    });
    if (!view) throw Problem.notFound(`Candidate ${id}`);
    return c.json(view);
  });
  app.patch('/:id', async (c) => {
    const patch = await jsonBody<CandidatePatch>(c, 'candidate-patch.schema.json');
    const { id } = await candidateOf(c, deps);
    await acceptSubjectEvent(
      deps,
      {
        subject: { candidateId: id },
        type: 'candidate.updated',
        source: 'api',
        data: { fields: Object.keys(patch) },
      },
      async (tx) => {
        if (!(await patchCandidate(tx, id, patch)))
          throw new Problem(409, 'Conflict', `Another candidate has the email ${patch.email}.`);
      },
    );
    return c.json(await getCandidate(deps.sql, id));
  });
  return app;
}
