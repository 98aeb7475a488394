// GET /v1/candidates/{id}: the candidate, their journeys, their messages and their timeline.
import { Hono } from 'hono';
import { getCandidate, getTimeline } from '../db/candidates.js';
import { listJourneysForCandidate } from '../db/journeys.js';
import { listMessagesForCandidate } from '../db/messages.js';
import type { ApiDeps } from './deps.js';
import { Problem } from './problem.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function candidatesRoutes(deps: ApiDeps) {
  return new Hono().get('/:id', async (c) => {
    const id = c.req.param('id');
    const candidate = UUID.test(id) ? await getCandidate(deps.sql, id) : undefined;
    if (!candidate) throw Problem.notFound(`Candidate ${id}`);
    const [journeys, messages, timeline] = await Promise.all([
      listJourneysForCandidate(deps.sql, id),
      listMessagesForCandidate(deps.sql, id),
      getTimeline(deps.sql, id),
    ]);
    return c.json({ ...candidate, journeys, messages, timeline });
  });
}
