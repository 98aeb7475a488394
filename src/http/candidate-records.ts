// A candidate's record beyond the profile: notes (POST/GET /v1/candidates/{id}/notes), everything held
// about them (GET …/export, for a subject access request) and erasure (DELETE /v1/candidates/{id}).
import { WorkflowNotFoundError } from '@temporalio/client';
import { addNote, eraseCandidate, exportCandidate, listNotes } from '../db/candidate-records.js';
import { withDeadlockRetry } from '../db/client.js';
import { candidateWorkflowId, sourcePayloadWorkflowId } from '../../workflows/contract.js';
import { CANDIDATE_ID, candidateOf } from './candidates.js';
import { operation } from './operation.js';
import { Problem } from './problem.js';
import type { ApiDeps } from './deps.js';

export const candidateRecordOperations = [
  operation<object, { text: string; author?: string }>({
    method: 'post',
    path: '/v1/candidates/{id}/notes',
    summary: 'Write a note on a candidate (it goes on the timeline)',
    access: { scope: 'candidates:write' },
    params: CANDIDATE_ID,
    body: { json: 'note.schema.json' },
    answers: { 201: { description: 'The note' }, 404: { description: 'Unknown candidate' } },
    async handle(c, { params, body }, deps) {
      const { id } = await candidateOf(deps, params.id!);
      return c.json(await addNote(deps.sql, id, body.text, body.author), 201);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/candidates/{id}/notes',
    summary: 'Notes on a candidate, oldest first',
    access: { scope: 'candidates:read' },
    params: CANDIDATE_ID,
    answers: { 200: { description: '{ items }' }, 404: { description: 'Unknown candidate' } },
    async handle(c, { params }, deps) {
      const { id } = await candidateOf(deps, params.id!);
      return c.json({ items: await listNotes(deps.sql, id) });
    },
  }),
  operation({
    method: 'get',
    path: '/v1/candidates/{id}/export',
    summary: 'Everything held about a candidate (subject access request), as a JSON download',
    access: { scope: 'candidates:read' },
    params: CANDIDATE_ID,
    answers: { 200: { description: 'The export' }, 404: { description: 'Unknown candidate' } },
    async handle(c, { params }, deps) {
      const candidate = await candidateOf(deps, params.id!);
      const data = await deps.sql.begin('isolation level repeatable read read only', (tx) =>
        exportCandidate(tx, candidate),
      );
      c.header('content-disposition', `attachment; filename="candidate-${candidate.id}.json"`);
      return c.json(data);
    },
  }),
  operation({
    method: 'delete',
    path: '/v1/candidates/{id}',
    summary: 'Erase a candidate: journeys ended, personal data scrubbed, anonymous counts kept',
    access: { scope: 'candidates:erase' },
    params: CANDIDATE_ID,
    answers: {
      204: { description: 'Erased (again: whatever an earlier attempt left in Temporal is ended)' },
      404: { description: 'Unknown candidate' },
      503: {
        description: 'The data is erased; the workflow waits behind earlier events: send the DELETE again',
        headers: { 'Retry-After': 'Seconds to wait' },
      },
    },
    async handle(c, { params }, deps) {
      await eraseCandidateEverywhere(deps, params.id!);
      return c.body(null, 204);
    },
  }),
];

/**
 * Erases a candidate (the API's DELETE and the console's erase form): marked erased first — from that
 * commit on no event reaches their workflow (the sweep and the public pages skip erased candidates), so
 * nothing can start it again once it is ended — then the workflow ended, then scrubbed once more for
 * what an activity still running wrote meanwhile. Idempotent; 404 for an unknown candidate.
 */
export async function eraseCandidateEverywhere(deps: ApiDeps, id: string): Promise<void> {
  const erase = () => withDeadlockRetry(() => deps.sql.begin((tx) => eraseCandidate(tx, id)));
  const erased = await erase();
  if (erased.status === 'unknown') throw Problem.notFound(`Candidate ${id}`);
  if (erased.status === 'erased') deps.log.info({ candidateId: id }, 'candidate erased');
  // Erasing again ends what an earlier attempt could not (Temporal was away).
  await endCandidateWorkflow(deps, id);
  const again = await erase();
  await deleteHistories(
    deps,
    [...erased.payloads, ...again.payloads].map((p) => ({ workflowId: sourcePayloadWorkflowId(p) })),
  );
}

/**
 * Ends the candidate's workflow and deletes its history from Temporal, every run of it (earlier runs of
 * a continued-as-new or completed workflow included): event payloads and rendered messages are personal
 * data too.
 */
async function endCandidateWorkflow(deps: ApiDeps, candidateId: string): Promise<void> {
  const workflowId = candidateWorkflowId(candidateId);
  const handle = deps.temporal.workflow.getHandle(workflowId);
  // After the events queued for the candidate, so that none of them starts the workflow again.
  await deps
    .delivery!.after(workflowId, async () => {
      try {
        await handle.terminate('candidate erased');
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    })
    .catch((error: unknown) => {
      if (!(error instanceof Problem) || error.status !== 503) throw error;
      const problem = new Problem(
        503,
        'Service unavailable',
        'The personal data is erased, but the workflow service has not taken the candidate’s earlier events yet, so their workflow is not ended. Send the DELETE again after Retry-After.',
      );
      problem.headers = error.headers;
      throw problem;
    });
  const runs: { workflowId: string; runId?: string }[] = [{ workflowId }];
  for await (const run of deps.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ workflowId, runId: run.runId });
  await deleteHistories(deps, runs);
}

/** Deletes workflow executions from Temporal (a run, or the latest run when none is named). */
async function deleteHistories(deps: ApiDeps, executions: { workflowId: string; runId?: string }[]) {
  for (const workflowExecution of executions) {
    try {
      await deps.temporal.workflowService.deleteWorkflowExecution({
        namespace: deps.temporal.options.namespace,
        workflowExecution,
      });
    } catch (error) {
      // No such execution (never started, or deleted already): nothing to delete.
      if ((error as { code?: number }).code !== 5) throw error;
    }
  }
}
