// A candidate's record beyond the profile: notes (POST/GET /v1/candidates/{id}/notes), everything held
// about them (GET …/export, for a subject access request) and erasure (DELETE /v1/candidates/{id}).
import { Hono } from 'hono';
import { WorkflowNotFoundError } from '@temporalio/client';
import { addNote, eraseCandidate, exportCandidate, listNotes } from '../db/candidate-records.js';
import { candidateWorkflowId } from '../../workflows/contract.js';
import { jsonBody } from './body.js';
import { isUuid } from './ids.js';
import { Problem } from './problem.js';
import { candidateOf } from './candidates.js';
import type { ApiDeps } from './deps.js';

export function candidateRecordsRoutes(deps: ApiDeps) {
  const app = new Hono();
  app.post('/:id/notes', async (c) => {
    const body = await jsonBody<{ text: string; author?: string }>(c, 'note.schema.json');
    const { id } = await candidateOf(c, deps);
    return c.json(await addNote(deps.sql, id, body.text, body.author), 201);
  });
  app.get('/:id/notes', async (c) => {
    const { id } = await candidateOf(c, deps);
    return c.json({ items: await listNotes(deps.sql, id) });
  });
  app.get('/:id/export', async (c) => {
    const candidate = await candidateOf(c, deps);
    const data = await deps.sql.begin('isolation level repeatable read read only', (tx) =>
      exportCandidate(tx, candidate),
    );
    c.header('content-disposition', `attachment; filename="candidate-${candidate.id}.json"`);
    return c.json(data);
  });
  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    // Erased first: from this commit on no event reaches the candidate's workflow (the sweep and the
    // public pages skip erased candidates), so nothing can start it again once it is ended below.
    const erased = isUuid(id) ? await deps.sql.begin((tx) => eraseCandidate(tx, id)) : 'unknown';
    if (erased === 'unknown') throw Problem.notFound(`Candidate ${id}`);
    if (erased === 'erased') deps.log.info({ candidateId: id }, 'candidate erased');
    // Erasing again ends what an earlier attempt could not (Temporal was away): it is idempotent.
    await endCandidateWorkflow(deps, id);
    return c.body(null, 204);
  });
  return app;
}

/**
 * Ends the candidate's workflow and deletes its history from Temporal: event payloads and rendered
 * messages are personal data too. Earlier runs of a continued-as-new workflow age out with the
 * namespace's retention.
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
  try {
    await deps.temporal.workflowService.deleteWorkflowExecution({
      namespace: deps.temporal.options.namespace,
      workflowExecution: { workflowId },
    });
  } catch (error) {
    // No execution at all (the candidate never had a journey): nothing to delete.
    if ((error as { code?: number }).code !== 5) throw error;
  }
}
