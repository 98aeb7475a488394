// Journeys: GET /v1/journeys/{id} (the mirror, with what the journey waits for now) and the recruiter's
// operations POST /v1/journeys/{id}/pause|resume|cancel, carried out by the journey's workflow as
// Temporal updates so the answer says what happened. Journey ids may contain `/`: send them URL-encoded.
import { Hono } from 'hono';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { getJourney } from '../db/journeys.js';
import {
  cancelJourneyUpdate,
  journeysQuery,
  pauseJourneyUpdate,
  resumeJourneyUpdate,
  type JourneyOperation,
  type JourneySummary,
} from '../../workflows/contract.js';
import { optionalJsonBody } from './body.js';
import type { ApiDeps } from './deps.js';
import { Problem } from './problem.js';

const OPERATIONS = {
  pause: pauseJourneyUpdate,
  resume: resumeJourneyUpdate,
  cancel: cancelJourneyUpdate,
} as const;

export function journeysRoutes(deps: ApiDeps) {
  const find = async (id: string) => {
    const journey = await getJourney(deps.sql, id);
    if (!journey) throw Problem.notFound(`Journey ${id}`);
    return journey;
  };
  const app = new Hono().get('/:id', async (c) => {
    const journey = await find(c.req.param('id'));
    let live: JourneySummary | undefined;
    if (!journey.ended_at) {
      const all = await deps.temporal.workflow
        .getHandle(journey.workflow_id)
        .query(journeysQuery)
        .catch(() => undefined);
      live = all?.find((j) => j.id === journey.id);
    }
    return c.json({ ...journey, next: live?.next ?? null });
  });
  for (const [name, update] of Object.entries(OPERATIONS)) {
    app.post(`/:id/${name}`, async (c) => {
      const journey = await find(c.req.param('id'));
      const { reason } = await optionalJsonBody<{ reason?: string }>(c, 'journey-operation.schema.json');
      const operation: JourneyOperation = { journeyId: journey.id, ...(reason ? { reason } : {}) };
      try {
        // After the events accepted before it for the same workflow.
        const summary = await deps.delivery!.after(journey.workflow_id, () =>
          deps.temporal.workflow.getHandle(journey.workflow_id).executeUpdate(update, { args: [operation] }),
        );
        return c.json(summary);
      } catch (error) {
        throw operationProblem(error, journey.id);
      }
    });
  }
  return app;
}

/** A refused operation as the problem a caller can act on. */
function operationProblem(error: unknown, id: string): unknown {
  if (error instanceof WorkflowNotFoundError)
    return new Problem(409, 'Journey has ended', `Journey ${id} has ended; its workflow is closed.`);
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    if (error.cause.type === 'NotFound') return Problem.notFound(`Journey ${id}`);
    return new Problem(409, 'Conflict', error.cause.message);
  }
  return error;
}
