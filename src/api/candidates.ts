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
    if (!UUID.test(id)) throw Problem.notFound(`Candidate ${id}`);
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
}
