// The outbox (GET /v1/messages, GET /v1/messages/{id}: every message with its delivery status) and
// recruiter tasks (GET /v1/tasks, POST /v1/tasks/{id}/complete → a `task.completed` event that a journey
// waiting on the task receives).
import { Hono, type Context } from 'hono';
import { completeTask, getMessage, getTask, listMessages, listTasks } from '../db/outbox.js';
import { optionalJsonBody } from './body.js';
import type { ApiDeps } from './deps.js';
import { acceptSubjectEvent } from './events.js';
import { pageOf, paged, queryChoice, queryProblem } from './paging.js';
import { isUuid } from './ids.js';
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

function candidateFilter(c: Context): string | undefined {
  const id = c.req.query('candidate_id');
  if (id !== undefined && !isUuid(id)) throw queryProblem('candidate_id', 'must be a candidate id (UUID)');
  return id;
}

export function messagesRoutes(deps: ApiDeps) {
  const app = new Hono();
  app.get('/', async (c) => {
    const page = pageOf(c);
    const filter = {
      status: queryChoice(c, 'status', MESSAGE_STATUSES),
      channel: queryChoice(c, 'channel', ['email', 'sms'] as const),
      candidateId: candidateFilter(c),
    };
    return c.json(paged(await listMessages(deps.sql, filter, page), page));
  });
  app.get('/:id', async (c) => {
    const id = c.req.param('id');
    const message = isUuid(id) ? await getMessage(deps.sql, id) : undefined;
    if (!message) throw Problem.notFound(`Message ${id}`);
    return c.json(message);
  });
  return app;
}

export function tasksRoutes(deps: ApiDeps) {
  const app = new Hono();
  app.get('/', async (c) => {
    const page = pageOf(c);
    const filter = {
      status: queryChoice(c, 'status', TASK_STATUSES),
      assignee: c.req.query('assignee'),
      candidateId: candidateFilter(c),
    };
    return c.json(paged(await listTasks(deps.sql, filter, page), page));
  });
  app.post('/:id/complete', async (c) => {
    const body = await optionalJsonBody<{ outcome?: string; completed_by?: string }>(
      c,
      'task-completion.schema.json',
    );
    const id = c.req.param('id');
    const task = isUuid(id) ? await getTask(deps.sql, id) : undefined;
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
    return c.json(await getTask(deps.sql, task.id));
  });
  return app;
}
