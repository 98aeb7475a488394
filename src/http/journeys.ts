// Journeys: GET /v1/journeys/{id} (the mirror, with what the journey waits for now) and the recruiter's
// operations POST /v1/journeys/{id}/pause|resume|cancel, carried out by the journey's workflow as
// Temporal updates so the answer says what happened. Journey ids may contain `/`: send them URL-encoded.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { getJourney } from '../db/journeys.js';
import {
  Failure,
  cancelJourneyUpdate,
  journeysQuery,
  pauseJourneyUpdate,
  resumeJourneyUpdate,
  type JourneyOperation,
  type JourneySummary,
} from '../../workflows/contract.js';
import type { ApiDeps } from './deps.js';
import { BEHIND, operation } from './operation.js';
import { Problem } from './problem.js';

const UPDATES = {
  pause: pauseJourneyUpdate,
  resume: resumeJourneyUpdate,
  cancel: cancelJourneyUpdate,
} as const;

async function journeyOf(deps: ApiDeps, id: string) {
  const journey = await getJourney(deps.sql, id);
  if (!journey) throw Problem.notFound(`Journey ${id}`);
  return journey;
}

const JOURNEY_ID = {
  id: {
    description: 'Journey (its id, URL-encoded: it contains `:` and may contain `/`)',
    schema: { type: 'string', minLength: 1, maxLength: 500 },
  },
};

export const journeyOperations = [
  operation({
    method: 'get',
    path: '/v1/journeys/{id}',
    summary: 'A journey, with what it waits for',
    access: { scope: 'journeys:read' },
    params: JOURNEY_ID,
    answers: { 200: { description: 'The journey' }, 404: { description: 'Unknown journey' } },
    async handle(c, { params }, deps) {
      const journey = await journeyOf(deps, params.id!);
      let live: JourneySummary | undefined;
      if (!journey.ended_at) {
        const all = await deps.temporal.workflow
          .getHandle(journey.workflow_id)
          .query(journeysQuery)
          .catch(() => undefined);
        live = all?.find((j) => j.id === journey.id);
      }
      return c.json({ ...journey, next: live?.next ?? null });
    },
  }),
  ...Object.keys(UPDATES).map((name) =>
    operation<object, { reason?: string }>({
      method: 'post',
      path: `/v1/journeys/{id}/${name}`,
      summary: `${name[0]!.toUpperCase()}${name.slice(1)} a journey`,
      access: { scope: 'journeys:write' },
      params: JOURNEY_ID,
      body: { json: 'journey-operation.schema.json', optional: true },
      answers: {
        200: { description: 'The journey after the operation' },
        404: { description: 'Unknown journey' },
        409: { description: 'The journey has ended' },
        503: { description: BEHIND, headers: { 'Retry-After': 'Seconds to wait' } },
      },
      async handle(c, { params, body }, deps) {
        return c.json(await operateJourney(deps, params.id!, name as JourneyVerb, body.reason));
      },
    }),
  ),
];

export type JourneyVerb = keyof typeof UPDATES;

/**
 * Pauses, resumes or cancels a journey inside its workflow, after the events accepted before it for
 * that workflow; a refusal is the problem a caller can act on (404, 409, 503). The API and the console
 * both call this.
 */
export async function operateJourney(
  deps: ApiDeps,
  id: string,
  verb: JourneyVerb,
  reason?: string,
): Promise<JourneySummary> {
  const journey = await journeyOf(deps, id);
  const operation: JourneyOperation = { journeyId: journey.id, ...(reason ? { reason } : {}) };
  try {
    return await deps.delivery!.after(journey.workflow_id, () =>
      deps.temporal.workflow
        .getHandle(journey.workflow_id)
        .executeUpdate(UPDATES[verb], { args: [operation] }),
    );
  } catch (error) {
    throw operationProblem(error, journey.id);
  }
}

/** A refused operation as the problem a caller can act on. */
function operationProblem(error: unknown, id: string): unknown {
  if (error instanceof WorkflowNotFoundError)
    return new Problem(409, 'Journey has ended', `Journey ${id} has ended; its workflow is closed.`);
  if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
    if (error.cause.type === Failure.NotFound) return Problem.notFound(`Journey ${id}`);
    return new Problem(409, 'Conflict', error.cause.message);
  }
  return error;
}
