// Activities of job workflows: rediscover candidates for a job, enroll them (signal-with-start of each
// candidate's workflow, a bounded number at a time), and end the journeys a closed job started.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import pLimit from 'p-limit';
import type { Db } from '../db/client.js';
import { findCandidates, type FindQuery } from '../db/find.js';
import { workflowsWithOpenJobJourneys } from '../db/journeys.js';
import { recordTimeline } from '../db/timeline.js';
import {
  CANDIDATE_WORKFLOW,
  candidateWorkflowId,
  enrollSignal,
  type CandidateWorkflow,
  jobClosedSignal,
  type EnrollRequest,
} from '../../workflows/contract.js';

export interface TemporalDeps {
  client: Client;
  taskQueue: string;
}

/** How many candidate workflows one activity signals at a time. */
const CONCURRENCY = 8;

export interface JobEffect {
  workflowId: string;
  journeyId: string;
  jobId: string;
  step: string;
  iteration: number;
}

export async function find(
  sql: Db,
  input: JobEffect & { query: FindQuery },
): Promise<{ candidates: string[] }> {
  const candidates = await findCandidates(sql, input.query);
  await recordTimeline(sql, {
    kind: 'job.found',
    at: { ...input, candidateId: null },
    candidates: candidates.length,
    query: input.query,
  });
  return { candidates };
}

/**
 * Enrolls candidates into a playbook with the job in scope. Each request has an id derived from the step
 * iteration and the candidate, so a retried batch enrolls nobody twice.
 */
export async function enrollCandidates(
  temporal: TemporalDeps,
  input: JobEffect & { playbook: string; candidates: string[] },
): Promise<{ enrolled: number }> {
  const one = async (candidateId: string) => {
    const request: EnrollRequest = {
      id: `${input.workflowId}/${input.journeyId}/${input.step}/${input.iteration}/${candidateId}`,
      playbook: input.playbook,
      jobId: input.jobId,
    };
    await temporal.client.workflow.signalWithStart<CandidateWorkflow, [EnrollRequest]>(CANDIDATE_WORKFLOW, {
      workflowId: candidateWorkflowId(candidateId),
      taskQueue: temporal.taskQueue,
      args: [{ candidateId }],
      signal: enrollSignal,
      signalArgs: [request],
    });
  };
  await pLimit(CONCURRENCY).map(input.candidates, one);
  return { enrolled: input.candidates.length };
}

/** Tells every candidate with a journey the job started that the job closed. */
export async function closeJob(
  sql: Db,
  temporal: TemporalDeps,
  input: { jobId: string; eventId: string },
): Promise<{ notified: number }> {
  const workflows = await workflowsWithOpenJobJourneys(sql, input.jobId);
  await pLimit(CONCURRENCY).map(workflows, async (workflowId) => {
    await temporal.client.workflow
      .getHandle(workflowId)
      .signal(jobClosedSignal, { id: input.eventId, jobId: input.jobId })
      .catch((error: unknown) => {
        // A workflow that already completed has no journey left to end.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
  });
  return { notified: workflows.length };
}
