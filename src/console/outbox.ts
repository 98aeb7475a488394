// The outbox and the tasks in the console. Every message with its status, undelivered ones marked (on
// embedded defaults, without SMTP_URL, this is where a newcomer reads every email Rapport would have
// sent), each readable with its HTML part in a sandboxed frame; a message whose delivery is unknown sent
// again, deliberately; recruiter tasks to complete.
import type { Context } from 'hono';
import { html } from 'hono/html';
import { getMessage, listMessages, listTasks, messageHtml, type TaskRow } from '../db/outbox.js';
import { operation, PAGE_QUERY, UUID_PARAM } from '../http/operation.js';
import { completeRecruiterTask } from '../http/outbox.js';
import { sendMessageAgain } from '../outbox/send-again.js';
import type { ConsoleSession } from '../db/console-sessions.js';
import { paged, pageOf, type PageQuery } from '../http/paging.js';
import { Problem } from '../http/problem.js';
import { FRAMED_CSP } from './headers.js';
import { csrfField, may, messagePage, nextLink, render, when } from './layout.js';
import { sessionIn } from './session.js';

const STATUS_LINES: Record<string, string> = {
  recorded: 'Not delivered: no provider configured (kept here)',
  suppressed: 'Not sent: suppressed',
  failed: 'Rejected by the provider',
  unknown: 'Delivery outcome unknown',
  cancelled: 'Not sent: the journey ended',
  pending: 'Waiting to be sent',
  sending: 'Being sent',
  sent: 'Sent',
};

const statusCell = (status: string, reason: string | null) =>
  html`<span class="${status === 'sent' ? '' : status === 'recorded' ? 'warn' : 'bad'}"
      >${STATUS_LINES[status] ?? status}</span
    >
    ${reason ? html`<div class="muted">${reason}</div>` : ''}`;

/** A message as these pages read it (src/db/outbox.ts). */
interface MessageView {
  id: string;
  candidate_id: string | null;
  channel: string;
  template: string;
  subject: string | null;
  to_address: string | null;
  from_address?: string | null;
  status: string;
  status_reason: string | null;
  body_text?: string | null;
  created_at: Date;
  again_of?: string | null;
  sent_again_as?: string | null;
}

/**
 * The form that sends a message whose delivery is unknown again, saying what it risks: the candidate
 * may already have it. Shown to a key with `messages:write`.
 */
export function sendAgainForm(
  session: ConsoleSession,
  message: { id: string; subject: string | null; template: string },
) {
  if (!may(session, 'messages:write')) return '';
  const note = `send-again-note-${message.id}`;
  return html`<form class="inline" method="post" action="/messages/${message.id}/send-again">
    ${csrfField(session)}
    <button
      type="submit"
      aria-describedby="${note}"
      aria-label="Send again: ${message.subject ?? message.template}"
    >
      Send again
    </button>
    <span class="muted" id="${note}">The candidate may already have it and receive it twice.</span>
  </form>`;
}

function taskRows(c: Context, tasks: TaskRow[]) {
  const session = sessionIn(c);
  if (!tasks.length) return html`<p class="empty">No task.</p>`;
  return html`<table>
    <thead>
      <tr>
        <th scope="col">Task</th>
        <th scope="col">Candidate</th>
        <th scope="col">Assignee</th>
        <th scope="col">Due</th>
        <th scope="col">Status</th>
      </tr>
    </thead>
    <tbody>
      ${tasks.map(
        (t) =>
          html`<tr>
            <td>${t.title}</td>
            <td>${t.candidate_id ? html`<a href="/candidates/${t.candidate_id}">Candidate</a>` : '—'}</td>
            <td>${t.assignee ?? ''}</td>
            <td>
              ${t.due_at && t.status === 'open' && t.due_at < new Date() ? html`<span class="bad">Overdue</span> ` : ''}${when(t.due_at)}
            </td>
            <td>
              ${t.status}
              ${
                t.status === 'open' && may(session, 'tasks:write')
                  ? html`<form class="inline" method="post" action="/tasks/${t.id}/complete">
                      ${csrfField(session)}
                      <button type="submit" aria-label="Complete: ${t.title}">Complete</button>
                    </form>`
                  : ''
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export const outboxPageOperations = [
  operation<PageQuery & { status?: string }>({
    method: 'get',
    path: '/outbox',
    console: true,
    summary: 'The outbox: every message and what became of it',
    access: { session: 'messages:read' },
    query: {
      status: {
        description: 'Only messages in this status',
        schema: { enum: Object.keys(STATUS_LINES) },
      },
      ...PAGE_QUERY,
    },
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: async (c, { query }, deps) => {
      const page = pageOf(query);
      const { items, next_cursor } = paged(
        (await listMessages(deps.sql, { status: query.status }, page)) as unknown as MessageView[],
        page,
      );
      return render(c, 200, {
        title: 'Outbox',
        session: sessionIn(c),
        section: '/outbox',
        body: html`<form class="filters" method="get" action="/outbox">
            <div>
              <label for="status">Status</label>
              <select id="status" name="status">
                <option value="">Any</option>
                ${Object.keys(STATUS_LINES).map(
                  (s) => html`<option value="${s}" ${query.status === s ? 'selected' : ''}>${s}</option>`,
                )}
              </select>
            </div>
            <div><button type="submit">Show</button></div>
          </form>
          ${
            items.length
              ? html`<table>
                  <thead>
                    <tr>
                      <th scope="col">Message</th>
                      <th scope="col">To</th>
                      <th scope="col">Status</th>
                      <th scope="col">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${items.map(
                      (m) =>
                        html`<tr>
                          <td><a href="/messages/${m.id}">${m.subject ?? m.template}</a></td>
                          <td>${m.to_address ?? '—'}</td>
                          <td>${statusCell(m.status, m.status_reason)}</td>
                          <td>${when(m.created_at)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p class="empty">No message.</p>`
          }
          ${nextLink(c, next_cursor)}`,
      });
    },
  }),
  operation({
    method: 'get',
    path: '/messages/{id}',
    console: true,
    summary: 'A message as it was (or would have been) sent',
    access: { session: 'messages:read' },
    params: { id: UUID_PARAM },
    answers: {
      200: { description: 'The page', mediaType: 'text/html' },
      404: { description: 'No such message', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such message.'),
    handle: async (c, { params }, deps) => {
      const m = (await getMessage(deps.sql, params.id!)) as MessageView | undefined;
      if (!m) return messagePage(c, 404, 'Not found', 'There is no such message.');
      const htmlPart = await messageHtml(deps.sql, params.id!);
      return render(c, 200, {
        title: m.subject ?? m.template,
        session: sessionIn(c),
        section: '/outbox',
        body: html`<dl class="profile">
            <dt>Status</dt>
            <dd>${statusCell(m.status, m.status_reason)}</dd>
            <dt>To</dt>
            <dd>${m.to_address ?? '—'}</dd>
            <dt>From</dt>
            <dd>${m.from_address ?? '—'}</dd>
            <dt>Channel</dt>
            <dd>${m.channel} · template <code>${m.template}</code></dd>
            <dt>Candidate</dt>
            <dd>${m.candidate_id ? html`<a href="/candidates/${m.candidate_id}">Open</a>` : '—'}</dd>
            <dt>Created</dt>
            <dd>${when(m.created_at)}</dd>
            ${
              m.again_of
                ? html`<dt>Sends again</dt>
                    <dd><a href="/messages/${m.again_of}">The message whose delivery was unknown</a></dd>`
                : ''
            }
            ${
              m.sent_again_as
                ? html`<dt>Sent again</dt>
                    <dd><a href="/messages/${m.sent_again_as}">As this message</a></dd>`
                : m.status === 'unknown' && m.to_address
                  ? html`<dt>Delivery unknown</dt>
                      <dd>
                        The provider may or may not have taken this message: the attempt was interrupted after
                        the message was handed over. ${sendAgainForm(sessionIn(c), m)}
                      </dd>`
                  : ''
            }
          </dl>
          ${
            htmlPart
              ? html`<h2>As the candidate sees it</h2>
                  <iframe
                    class="email"
                    title="The email as sent"
                    sandbox
                    src="/messages/${params.id!}/body"
                  ></iframe>`
              : ''
          }
          <h2>Text</h2>
          <pre class="email-text">${m.body_text ?? ''}</pre>`,
      });
    },
  }),
  operation({
    method: 'get',
    path: '/messages/{id}/body',
    console: true,
    summary: 'The HTML part of a message, for the sandboxed frame of its page',
    access: { session: 'messages:read' },
    params: { id: UUID_PARAM },
    answers: {
      200: { description: 'The HTML part', mediaType: 'text/html' },
      404: { description: 'No HTML part', mediaType: 'text/html' },
    },
    notFound: (c) => c.html('', 404),
    handle: async (c, { params }, deps) => {
      const body = await messageHtml(deps.sql, params.id!);
      if (!body) return c.html('', 404);
      // Its own policy: no script at all, inline styles as emails have them, framed by the console only.
      c.set('ownCsp' as never, FRAMED_CSP);
      return c.html(body, 200);
    },
  }),
  operation<Record<string, unknown>, Record<string, string>>({
    method: 'post',
    path: '/messages/{id}/send-again',
    console: true,
    summary: 'Sends a message whose delivery is unknown again, then to the new message',
    access: { session: 'messages:write' },
    params: { id: UUID_PARAM },
    body: { form: { type: 'object', properties: { _csrf: { type: 'string' } } } },
    answers: {
      303: { description: 'Sent again: to the new message' },
      404: { description: 'No such message', mediaType: 'text/html' },
      409: { description: 'Not unknown, or sent again already', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such message.'),
    handle: async (c, { params }, deps) => {
      try {
        const again = (await sendMessageAgain(deps, params.id!, sessionIn(c).key.name)) as { id: string };
        return c.redirect(`/messages/${again.id}`, 303);
      } catch (error) {
        if (error instanceof Problem && (error.status === 404 || error.status === 409))
          return messagePage(c, error.status, error.title, error.detail ?? error.title);
        throw error;
      }
    },
  }),
  operation<PageQuery & { status?: 'open' | 'completed' | 'cancelled' }>({
    method: 'get',
    path: '/tasks',
    console: true,
    summary: 'Recruiter tasks',
    access: { session: 'tasks:read' },
    query: {
      status: {
        description: 'open (default), completed or cancelled',
        schema: { enum: ['open', 'completed', 'cancelled'] },
      },
      ...PAGE_QUERY,
    },
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: async (c, { query }, deps) => {
      const page = pageOf(query);
      const { items, next_cursor } = paged(
        await listTasks(deps.sql, { status: query.status ?? 'open' }, page),
        page,
      );
      return render(c, 200, {
        title: 'Tasks',
        session: sessionIn(c),
        section: '/tasks',
        body: html`${taskRows(c, items)} ${nextLink(c, next_cursor)}`,
      });
    },
  }),
  operation<Record<string, unknown>, Record<string, string>>({
    method: 'post',
    path: '/tasks/{id}/complete',
    console: true,
    summary: 'Completes a task, then back to the tasks',
    access: { session: 'tasks:write' },
    params: { id: UUID_PARAM },
    body: { form: { type: 'object', properties: { _csrf: { type: 'string' } } } },
    answers: {
      303: { description: 'Completed: back to the tasks' },
      404: { description: 'No such task', mediaType: 'text/html' },
      409: { description: 'Not open any more', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such task.'),
    handle: async (c, { params }, deps) => {
      try {
        await completeRecruiterTask(deps, params.id!, { completed_by: sessionIn(c).key.name });
      } catch (error) {
        if (error instanceof Problem && (error.status === 404 || error.status === 409))
          return messagePage(c, error.status, error.title, error.detail ?? error.title);
        throw error;
      }
      return c.redirect('/tasks', 303);
    },
  }),
];
