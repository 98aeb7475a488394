// Reading the outbox and recruiter tasks for the API: filtered lists paged newest first, and one row.
import type { Db } from './client.js';
import { afterCursor, type Page } from './paging.js';

const MESSAGE_COLUMNS = [
  'id',
  'candidate_id',
  'journey_id',
  'step',
  'channel',
  'template',
  'to_address',
  'subject',
  'status',
  'status_reason',
  'attempts',
  'created_at',
  'sent_at',
  'updated_at',
];

export interface MessageFilter {
  status?: string | undefined;
  channel?: string | undefined;
  candidateId?: string | undefined;
}

export function listMessages(db: Db, filter: MessageFilter, page: Page) {
  return db<{ id: string; created_at: Date }[]>`
    select ${db(MESSAGE_COLUMNS)} from messages
    where true
      ${filter.status ? db`and status = ${filter.status}` : db``}
      ${filter.channel ? db`and channel = ${filter.channel}` : db``}
      ${filter.candidateId ? db`and candidate_id = ${filter.candidateId}` : db``}
      ${afterCursor(db, page)}
    order by created_at desc, id desc limit ${page.limit + 1}`;
}

/** One message with its text, when its data was handed to the provider, and how it was sent again. */
export async function getMessage(db: Db, id: string) {
  const [row] = await db`
    select ${db(MESSAGE_COLUMNS)}, from_address, body_text, provider_id, data_sent_at, again_of,
      (select a.id from messages a where a.again_of = m.id) as sent_again_as
    from messages m where id = ${id}`;
  return row;
}

const TASK_COLUMNS = [
  'id',
  'candidate_id',
  'job_id',
  'journey_id',
  'step',
  'title',
  'assignee',
  'due_at',
  'status',
  'created_at',
  'completed_at',
];

export interface TaskRow {
  id: string;
  candidate_id: string | null;
  job_id: string | null;
  journey_id: string | null;
  step: string | null;
  title: string;
  assignee: string | null;
  due_at: Date | null;
  status: 'open' | 'completed' | 'cancelled';
  created_at: Date;
  completed_at: Date | null;
}

export interface TaskFilter {
  status?: string | undefined;
  assignee?: string | undefined;
  candidateId?: string | undefined;
}

export function listTasks(db: Db, filter: TaskFilter, page: Page) {
  return db<TaskRow[]>`
    select ${db(TASK_COLUMNS)} from tasks
    where true
      ${filter.status ? db`and status = ${filter.status}` : db``}
      ${filter.assignee ? db`and assignee = ${filter.assignee}` : db``}
      ${filter.candidateId ? db`and candidate_id = ${filter.candidateId}` : db``}
      ${afterCursor(db, page)}
    order by created_at desc, id desc limit ${page.limit + 1}`;
}

export async function getTask(db: Db, id: string): Promise<TaskRow | undefined> {
  const [row] = await db<TaskRow[]>`select ${db(TASK_COLUMNS)} from tasks where id = ${id}`;
  return row;
}

/** Marks an open task completed; false when it was not open. */
export async function completeTask(db: Db, id: string): Promise<boolean> {
  const rows = await db`
    update tasks set status = 'completed', completed_at = now() where id = ${id} and status = 'open'`;
  return rows.count === 1;
}

/** The HTML part of a message as it was sent, for the console's sandboxed preview. */
export async function messageHtml(db: Db, id: string): Promise<string | null | undefined> {
  const [row] = await db<{ body_html: string | null }[]>`select body_html from messages where id = ${id}`;
  return row ? row.body_html : undefined;
}
