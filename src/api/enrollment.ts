// POST /v1/candidates/{id}/journeys: a recruiter enrolls the candidate into a playbook; the candidate's
// workflow is updated (and started if it is not running) and answers with the new journey.
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { latestPlaybooks } from '../db/playbook-versions.js';
import {
  CANDIDATE_WORKFLOW,
  candidateWorkflowId,
  enrollJourneyUpdate,
  type CandidateWorkflow,
  type ManualEnrollment,
} from '../../workflows/contract.js';
import { jsonBody } from './body.js';
import { candidateOf } from './candidates.js';
import type { ApiDeps } from './deps.js';
import { Problem } from './problem.js';

export function enrollmentRoutes(deps: ApiDeps) {
  return new Hono().post('/:id/journeys', async (c) => {
    const body = await jsonBody<{ playbook: string }>(c, 'enrollment.schema.json');
    const { id } = await candidateOf(c, deps);
    const definition = (await latestPlaybooks(deps.sql)).get(body.playbook);
    if (!definition || (definition.for ?? 'candidate') !== 'candidate') {
      throw Problem.validation([
        { pointer: '/playbook', message: `is not a published candidate playbook: ${body.playbook}` },
      ]);
    }
    const request: ManualEnrollment = { id: randomUUID(), playbook: body.playbook };
    try {
      const workflowId = candidateWorkflowId(id);
      // After the candidate's events accepted before it, as a recruiter who saw them would expect.
      const journey = await deps.delivery!.after(workflowId, () =>
        deps.temporal.workflow.executeUpdateWithStart(enrollJourneyUpdate, {
          args: [request],
          startWorkflowOperation: new WithStartWorkflowOperation<CandidateWorkflow>(CANDIDATE_WORKFLOW, {
            workflowId,
            taskQueue: deps.taskQueue,
            args: [{ candidateId: id }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        }),
      );
      return c.json(journey, 201);
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
        if (error.cause.type === 'Conflict') throw new Problem(409, 'Conflict', error.cause.message);
        throw Problem.validation([{ pointer: '/playbook', message: error.cause.message }]);
      }
      throw error;
    }
  });
}
