// The outbox (GET /v1/messages, GET /v1/messages/{id}: every message with its delivery status; POST
// /v1/messages/{id}/send-again: a message whose delivery is unknown, sent again once) and recruiter tasks (GET /v1/tasks, POST /v1/tasks/{id}/complete → a `task.completed` event that a journey
// waiting on the task receives).
import type { Context } from 'hono';
import { completeTask, getMessage, getTask, listMessages, listTasks } from '../db/outbox.js';
import { acceptSubjectEvent } from '../intake/accept.js';
import { sendMessageAgain } from '../outbox/send-again.js';
import type { AuthEnv } from './auth.js';
import { operation, PAGE_QUERY, UUID_PARAM, type Parameter } from './operation.js';
import { paged, pageOf, type PageQuery } from './paging.js';
import type { ApiDeps } from './deps.js';
import { Problem } from './problem.js';

const MESSAGE_STATUSES = [
  'pending',
  'sending',
  'sent',
  'recorded',
  'suppressed',
  'failed',
  'unknown',
  'cancelled',
] as const;
const TASK_STATUSES = ['open', 'completed', 'cancelled'] as const;

const CANDIDATE_FILTER: Parameter = {
  description: "One candidate's (their id)",
  schema: { type: 'string', format: 'uuid' },
};

export const outboxOperations = [
  operation<
    PageQuery & {
      status?: (typeof MESSAGE_STATUSES)[number];
      channel?: 'email' | 'sms';
      candidate_id?: string;
    }
  >({
    method: 'get',
    path: '/v1/messages',
    summary: 'The outbox, newest first, with delivery status',
    access: { scope: 'messages:read' },
    query: {
      status: { description: 'Delivery status', schema: { enum: [...MESSAGE_STATUSES] } },
      channel: { description: 'email or sms', schema: { enum: ['email', 'sms'] } },
      candidate_id: CANDIDATE_FILTER,
      ...PAGE_QUERY,
    },
    answers: { 200: { description: '{ items, next_cursor }', schema: 'message-page.schema.json' } },
    async handle(c, { query }, deps) {
      const page = pageOf(query);
      const filter = { status: query.status, channel: query.channel, candidateId: query.candidate_id };
      return c.json(paged(await listMessages(deps.sql, filter, page), page));
    },
  }),
  operation({
    method: 'get',
    path: '/v1/messages/{id}',
    summary: 'One message with its text',
    access: { scope: 'messages:read' },
    params: { id: { ...UUID_PARAM, description: 'Message (UUID)' } },
    answers: {
      200: { description: 'The message', schema: 'message.schema.json' },
      404: { description: 'Unknown message' },
    },
    async handle(c, { params }, deps) {
      const message = await getMessage(deps.sql, params.id!);
      if (!message) throw Problem.notFound(`Message ${params.id}`);
      return c.json(message);
    },
  }),
  operation({
    method: 'post',
    path: '/v1/messages/{id}/send-again',
    summary: 'Send a message whose delivery is unknown again, once (the candidate may receive it twice)',
    description:
      'Only for a message whose outcome is `unknown` (the provider may or may not have it). A new message ' +
      'with the same subject, text and HTML, `again_of` naming this one, is delivered by the workflow ' +
      '`message-again/{id}`; consent is checked again. This message leaves the attention list.',
    access: { scope: 'messages:write' },
    params: { id: { ...UUID_PARAM, description: 'Message (UUID)' } },
    answers: {
      202: {
        description: 'The new message, pending',
        schema: 'message.schema.json',
        headers: { Location: 'The new message: /v1/messages/{its id}' },
      },
      404: { description: 'Unknown message' },
      409: { description: 'Not `unknown`, sent again already, or its candidate was erased' },
    },
    async handle(c, { params }, deps) {
      const by = (c as unknown as Context<AuthEnv>).get('apiKey').name;
      const again = (await sendMessageAgain(deps, params.id!, by)) as { id: string };
      c.header('Location', `/v1/messages/${again.id}`);
      return c.json(again, 202);
    },
  }),
  operation<
    PageQuery & { status?: (typeof TASK_STATUSES)[number]; assignee?: string; candidate_id?: string }
  >({
    method: 'get',
    path: '/v1/tasks',
    summary: 'Recruiter tasks, newest first',
    access: { scope: 'tasks:read' },
    query: {
      status: { description: 'open, completed or cancelled', schema: { enum: [...TASK_STATUSES] } },
      assignee: { description: 'Assigned to', schema: { type: 'string', maxLength: 320 } },
      candidate_id: CANDIDATE_FILTER,
      ...PAGE_QUERY,
    },
    answers: { 200: { description: '{ items, next_cursor }', schema: 'task-page.schema.json' } },
    async handle(c, { query }, deps) {
      const page = pageOf(query);
      const filter = { status: query.status, assignee: query.assignee, candidateId: query.candidate_id };
      return c.json(paged(await listTasks(deps.sql, filter, page), page));
    },
  }),
  operation<object, { outcome?: string; completed_by?: string }>({
    method: 'post',
    path: '/v1/tasks/{id}/complete',
    summary: 'Complete a task (task.completed reaches a journey waiting for it)',
    access: { scope: 'tasks:write' },
    params: { id: { ...UUID_PARAM, description: 'Task (UUID)' } },
    body: { json: 'task-completion.schema.json', optional: true },
    answers: {
      200: { description: 'The task', schema: 'task.schema.json' },
      404: { description: 'Unknown task' },
      409: { description: 'Not open' },
    },
    async handle(c, { params, body }, deps) {
      return c.json(await completeRecruiterTask(deps, params.id!, body));
    },
  }),
];

/**
 * Completes an open task: a `task.completed` event for its candidate's workflow (a journey waiting on the
 * task receives it), stored with the change; 404 or 409 problems otherwise. The API and the console call it.
 */
export async function completeRecruiterTask(
  deps: ApiDeps,
  id: string,
  body: { outcome?: string; completed_by?: string },
) {
  const task = await getTask(deps.sql, id);
  if (!task) throw Problem.notFound(`Task ${id}`);
  if (task.status !== 'open') throw new Problem(409, 'Conflict', `Task ${id} is ${task.status} already.`);
  const data = { task_id: task.id, journey_id: task.journey_id, step: task.step, ...body };
  const complete = async (tx: Parameters<typeof completeTask>[0]) => {
    if (!(await completeTask(tx, task.id))) throw new Problem(409, 'Conflict', `Task ${id} is not open.`);
  };
  if (task.candidate_id) {
    await acceptSubjectEvent(
      deps,
      {
        subject: { candidateId: task.candidate_id },
        type: 'task.completed',
        source: 'api',
        id: `task/${task.id}`,
        data,
      },
      complete,
    );
  } else {
    await deps.sql.begin(complete);
  }
  return (await getTask(deps.sql, task.id))!;
}
