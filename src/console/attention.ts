// The home page: what needs a recruiter now, each line linking to where to act (src/db/attention.ts).
import { html } from 'hono/html';
import { attention, type Attention } from '../db/attention.js';
import { operation } from '../http/operation.js';
import { render, when } from './layout.js';
import { fragmentAnswer, liveRegion } from './live.js';
import { sendAgainForm } from './outbox.js';
import type { ConsoleSession } from '../db/console-sessions.js';
import { sessionIn } from './session.js';

const candidateLink = (id: string | null, name: string | null) =>
  id ? html`<a href="/candidates/${id}">${name ?? 'a candidate'}</a>` : html`<span class="muted">—</span>`;

function section<T>(title: string, rows: T[], empty: string, head: string[], row: (r: T) => unknown) {
  return html`<section aria-labelledby="${slug(title)}">
    <h2 id="${slug(title)}">${title} <span class="badge">${rows.length}</span></h2>
    ${
      rows.length
        ? html`<table>
            <thead>
              <tr>
                ${head.map((h) => html`<th scope="col">${h}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${rows.map(
                (r) =>
                  html`<tr>
                    ${row(r)}
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="empty">${empty}</p>`
    }
  </section>`;
}

const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-');

function lists(a: Attention, session: ConsoleSession) {
  return html`
    ${section(
      'Replies to answer',
      a.replies,
      'No reply waits for an answer.',
      ['Candidate', 'Replied', 'Subject'],
      (r) =>
        html`<td>${candidateLink(r.candidate_id, r.name)}</td>
          <td>${when(r.occurred_at)}</td>
          <td>${r.subject ?? ''}</td>`,
    )}
    ${section(
      'Open tasks',
      a.tasks,
      'No open task.',
      ['Task', 'Candidate', 'Assignee', 'Due'],
      (t) =>
        html`<td>${t.title}</td>
          <td>${candidateLink(t.candidate_id, t.name)}</td>
          <td>${t.assignee ?? ''}</td>
          <td>${t.overdue ? html`<span class="bad">Overdue</span> ` : ''}${when(t.due_at)}</td>`,
    )}
    ${section(
      'Messages not delivered',
      a.messages,
      'Every message was delivered.',
      ['Candidate', 'Message', 'Outcome', 'When'],
      (m) =>
        html`<td>${candidateLink(m.candidate_id, m.name)}</td>
          <td><a href="/messages/${m.id}">${m.subject ?? m.template}</a></td>
          <td>
            <span class="bad">${m.status}</span> ${m.status_reason ?? ''}
            ${m.can_send_again ? html`<div>${sendAgainForm(session, m)}</div>` : ''}
          </td>
          <td>${when(m.updated_at)}</td>`,
    )}
    ${section(
      'Journeys that failed',
      a.journeys,
      'No journey failed in the last 30 days.',
      ['Candidate', 'Playbook', 'Why', 'When'],
      (j) =>
        html`<td>${candidateLink(j.candidate_id, j.name)}</td>
          <td>${j.playbook}</td>
          <td>${j.exit_reason ?? ''}</td>
          <td>${when(j.ended_at)}</td>`,
    )}
    ${section(
      'Open to work, not contacted',
      a.uncontacted,
      'Everyone open to work heard from you in the last 90 days.',
      ['Candidate', 'Updated'],
      (c) =>
        html`<td>${candidateLink(c.id, c.name)}</td>
          <td>${when(c.updated_at)}</td>`,
    )}
    ${section(
      'Sends deferred today',
      a.deferred,
      'No send was deferred today.',
      ['Candidate', 'Playbook', 'Step', 'Deferred by', 'Goes out'],
      (d) =>
        html`<td>${candidateLink(d.candidate_id, d.name)}</td>
          <td>${d.playbook}</td>
          <td>${d.current_step ?? ''}</td>
          <td>
            ${
              d.waiting_for === 'cap'
                ? 'the cap'
                : d.waiting_for === 'policy'
                  ? 'the contact policy'
                  : 'the sending window'
            }
          </td>
          <td>${when(d.next_action_at)}</td>`,
    )}
    ${section(
      'Webhooks that did not become events',
      a.webhooks,
      'Every webhook a rule took became an event.',
      ['Source', 'Outcome', 'Why', 'Received'],
      (w) =>
        html`<td>${w.source}</td>
          <td><span class="bad">${w.status === 'failed' ? 'enrichment failed' : 'unmapped'}</span></td>
          <td>
            ${w.reason ?? ''}
            <span class="muted">Fix it, then <code>rapport sources replay ${w.source}</code>.</span>
          </td>
          <td>${when(w.received_at)}</td>`,
    )}
  `;
}

export const attentionOperations = [
  operation({
    method: 'get',
    console: true,
    path: '/',
    summary: 'What needs a recruiter now',
    access: { session: 'candidates:read' },
    query: { fragment: { description: 'Only this live region of the page', schema: { type: 'string' } } },
    answers: {
      200: { description: 'The page', mediaType: 'text/html' },
      304: { description: 'The live region has not changed' },
    },
    handle: async (c, _request, deps) => {
      const region = await liveRegion('attention', lists(await attention(deps.sql), sessionIn(c)));
      return (
        fragmentAnswer(c, region) ??
        render(c, 200, { title: 'Attention', session: sessionIn(c), section: '/', body: region.element })
      );
    },
  }),
];
