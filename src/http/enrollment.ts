// POST /v1/candidates/{id}/journeys: a recruiter enrolls the candidate into a playbook; the candidate's
// workflow is updated (and started if it is not running) and answers with the new journey.
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { getJobRow } from '../db/jobs.js';
import type { Sql } from '../db/client.js';
import { latestPlaybooks } from '../db/playbook-versions.js';
import type { FieldError } from '../schemas/index.js';
import {
  CANDIDATE_WORKFLOW,
  Failure,
  candidateWorkflowId,
  enrollJourneyUpdate,
  type CandidateWorkflow,
  type ManualEnrollment,
} from '../../workflows/contract.js';
import { CANDIDATE_ID, candidateOf } from './candidates.js';
import { BEHIND, operation } from './operation.js';
import { Problem } from './problem.js';
import type { ApiDeps } from './deps.js';

/** How long an enrollment waits for the candidate's workflow to answer. */
const WORKFLOW_ANSWER_MS = 10_000;

export const enrollmentOperations = [
  operation<object, { playbook: string; job_id?: string }>({
    method: 'post',
    path: '/v1/candidates/{id}/journeys',
    summary: 'Enroll the candidate into a playbook',
    access: { scope: 'journeys:write' },
    params: CANDIDATE_ID,
    body: { json: 'enrollment.schema.json' },
    answers: {
      201: {
        description: 'The new journey',
        links: {
          read: { to: 'get /v1/journeys/{id}', with: { id: '$response.body#/id' } },
          pause: { to: 'post /v1/journeys/{id}/pause', with: { id: '$response.body#/id' } },
          resume: { to: 'post /v1/journeys/{id}/resume', with: { id: '$response.body#/id' } },
          cancel: { to: 'post /v1/journeys/{id}/cancel', with: { id: '$response.body#/id' } },
        },
      },
      404: { description: 'Unknown candidate, job, or published candidate playbook (the field is named)' },
      409: { description: 'Already in that playbook, or the job is closed' },
      503: {
        description: `${BEHIND}; or the candidate's workflow did not answer in time (their journeys say whether the enrollment was taken)`,
        headers: { 'Retry-After': 'Seconds to wait' },
      },
    },
    async handle(c, { params, body }, deps) {
      const { id } = await candidateOf(deps, params.id!);
      return c.json(await enrollCandidate(deps, id, body.playbook, body.job_id), 201);
    },
  }),
];

/**
 * Why `playbook` names no published candidate playbook (the field `/playbook`), or undefined when it
 * names one: what a recruiter's enrollment and a campaign refuse with 404.
 */
export async function missingCandidatePlaybook(sql: Sql, playbook: string): Promise<FieldError | undefined> {
  const definition = (await latestPlaybooks(sql)).get(playbook);
  if (!definition)
    return {
      pointer: '/playbook',
      message: `names no published playbook: "${playbook}" (publish it, or check the id)`,
    };
  if ((definition.for ?? 'candidate') !== 'candidate')
    return {
      pointer: '/playbook',
      message: `names no candidate playbook: "${playbook}" is a job playbook, and only candidates are enrolled`,
    };
  return undefined;
}

/**
 * A recruiter's enrollment of a candidate into a published candidate playbook (the API and the
 * console): an update-with-start of the candidate's workflow, after the events accepted before it.
 * With a job, the journey is for that job, as if the job's playbooks had enrolled the candidate.
 * 409 when the candidate is in that playbook already or the job is closed; 404 for an unknown job, or
 * when it is no published candidate playbook (naming `/playbook`).
 */
export async function enrollCandidate(deps: ApiDeps, id: string, playbook: string, jobId?: string) {
  const missing = await missingCandidatePlaybook(deps.sql, playbook);
  if (missing) throw Problem.missing([missing]);
  if (jobId) {
    const job = await getJobRow(deps.sql, jobId);
    if (!job) throw Problem.notFound(`Job ${jobId}`);
    if (job.status !== 'open')
      throw new Problem(
        409,
        'Conflict',
        `Job ${jobId} is closed: open it again to enroll candidates for it.`,
      );
  }
  const request: ManualEnrollment = { id: randomUUID(), playbook, ...(jobId ? { jobId } : {}) };
  // A workflow that cannot answer (no worker, a task failing) is not waited for past this.
  const waited = AbortSignal.timeout(deps.workflowAnswerMs ?? WORKFLOW_ANSWER_MS);
  try {
    const workflowId = candidateWorkflowId(id);
    // After the candidate's events accepted before it, as a recruiter who saw them would expect.
    return await deps.delivery!.after(workflowId, () =>
      deps.temporal.withAbortSignal(waited, () =>
        deps.temporal.workflow.executeUpdateWithStart(enrollJourneyUpdate, {
          args: [request],
          startWorkflowOperation: new WithStartWorkflowOperation<CandidateWorkflow>(CANDIDATE_WORKFLOW, {
            workflowId,
            taskQueue: deps.taskQueue,
            args: [{ candidateId: id }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        }),
      ),
    );
  } catch (error) {
    if (waited.aborted && !(error instanceof Problem)) {
      // Temporal itself out of reach is an outage (the app's 503 names it); else the workflow is stuck.
      await deps.temporal.withDeadline(Date.now() + 2000, () =>
        deps.temporal.workflowService.getSystemInfo({}),
      );
      const problem = new Problem(
        503,
        'Service unavailable',
        `The candidate's workflow did not answer within ${Math.round((deps.workflowAnswerMs ?? WORKFLOW_ANSWER_MS) / 1000)} s. The enrollment may still be taken: look at the candidate's journeys before sending it again.`,
      );
      problem.headers = { 'retry-after': '5' };
      throw problem;
    }
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      if (error.cause.type === Failure.Conflict) throw new Problem(409, 'Conflict', error.cause.message);
      if (error.cause.type === Failure.NotFound)
        throw Problem.missing([{ pointer: '/playbook', message: error.cause.message }]);
      throw Problem.validation([{ pointer: '/playbook', message: error.cause.message }]);
    }
    throw error;
  }
}
