// Sending a message again after its delivery was `unknown` — what the API and the console call. The
// recruiter chooses it knowing the candidate may receive the message twice. The message's second row is
// created once, in the transaction that holds the message, and the workflow `message-again/<id>` that
// delivers it is started before that transaction commits: if Temporal cannot be reached nothing changed;
// if the commit is what fails, the workflow creates the same row itself. A second request finds the row
// and is refused, so the message goes out again at most once.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import {
  SEND_AGAIN_WORKFLOW,
  sendAgainWorkflowId,
  type SendAgainWorkflow,
} from '../../workflows/contract.js';
import type { Sql } from '../db/client.js';
import { claimAgain } from '../db/messages.js';
import { getMessage } from '../db/outbox.js';
import { Problem } from '../http/problem.js';

export interface SendAgainDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
}

/**
 * Sends message `id` again on behalf of `by` (an API key's name); answers the new message, `pending`.
 * 404 for no such message; 409 when it is not `unknown`, was sent again already, or its candidate was
 * erased.
 */
export async function sendMessageAgain(deps: SendAgainDeps, id: string, by: string) {
  const againId = await deps.sql.begin(async (tx) => {
    const claim = await claimAgain(tx, id, by);
    switch (claim.kind) {
      case 'missing':
        throw Problem.notFound(`Message ${id}`);
      case 'not-unknown':
        throw conflict(
          `Message ${id} is ${claim.status}: only a message whose delivery is unknown can be sent again.`,
        );
      case 'existing':
        throw conflict(`Message ${id} was sent again already, as message ${claim.again.id}.`);
      case 'erased':
        throw conflict(`Message ${id} cannot be sent again: its candidate was erased.`);
      case 'claimed':
        break;
    }
    await deps.temporal.workflow
      .start<SendAgainWorkflow>(SEND_AGAIN_WORKFLOW, {
        workflowId: sendAgainWorkflowId(id),
        taskQueue: deps.taskQueue,
        args: [{ messageId: id, by }],
      })
      .catch((error: unknown) => {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      });
    return claim.again.id;
  });
  return (await getMessage(deps.sql, againId))!;
}

const conflict = (detail: string) => new Problem(409, 'Conflict', detail);
