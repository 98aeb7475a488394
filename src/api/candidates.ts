// GET /v1/candidates/{id}: the candidate, their journeys, their messages and their timeline.
// POST /v1/candidates/{id}/journeys: a recruiter enrolls the candidate into a playbook; the candidate's
// workflow is updated (and started if it is not running) and answers with the new journey.
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { latestPlaybooks } from '../db/playbook-versions.js';
import { candidateWorkflowId, enrollJourneyUpdate, type ManualEnrollment } from '../../workflows/messages.js';
import type { candidateWorkflow } from '../../workflows/candidate.js';
import { jsonBody } from './body.js';
import { getCandidate, getTimeline } from '../db/candidates.js';
import { listJourneysForCandidate } from '../db/journeys.js';
import { listMessagesForCandidate } from '../db/messages.js';
import type { ApiDeps } from './deps.js';
import { Problem } from './problem.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function candidatesRoutes(deps: ApiDeps) {
  const app = new Hono();
  app.get('/:id', async (c) => {
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
  app.post('/:id/journeys', async (c) => {
    const id = c.req.param('id');
    const body = await jsonBody<{ playbook: string }>(c, 'enrollment.schema.json');
    if (!UUID.test(id) || !(await getCandidate(deps.sql, id))) throw Problem.notFound(`Candidate ${id}`);
    const definition = (await latestPlaybooks(deps.sql)).get(body.playbook);
    if (!definition || (definition.for ?? 'candidate') !== 'candidate') {
      throw Problem.validation([
        { pointer: '/playbook', message: `is not a published candidate playbook: ${body.playbook}` },
      ]);
    }
    const request: ManualEnrollment = { id: randomUUID(), playbook: body.playbook };
    try {
      const journey = await deps.temporal.workflow.executeUpdateWithStart(enrollJourneyUpdate, {
        args: [request],
        startWorkflowOperation: new WithStartWorkflowOperation<typeof candidateWorkflow>(
          'candidateWorkflow',
          {
            workflowId: candidateWorkflowId(id),
            taskQueue: deps.taskQueue,
            args: [{ candidateId: id }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          },
        ),
      });
      return c.json(journey, 201);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        if (error.cause.type === 'Conflict') throw new Problem(409, 'Conflict', error.cause.message);
        throw Problem.validation([{ pointer: '/playbook', message: error.cause.message }]);
      }
      throw error;
    }
  });
  return app;
}
