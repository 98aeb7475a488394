// The funnel page: the five stages with candidates in each now and those who entered each in the last 30
// and 90 days, with the conversion from the stage before; messages by outcome; journeys by status.
import { html } from 'hono/html';
import { funnel } from '../db/funnel.js';
import { operation } from '../http/operation.js';
import { render } from './layout.js';
import { sessionIn } from './session.js';

const rate = (part: number, whole: number) => (whole ? `${Math.round((100 * part) / whole)}%` : '—');

export const funnelOperations = [
  operation({
    method: 'get',
    path: '/funnel',
    console: true,
    summary: 'The funnel: stages, conversions, messages, journeys',
    access: { session: 'candidates:read' },
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: async (c, _request, deps) => {
      const f = await funnel(deps.sql);
      return render(c, 200, {
        title: 'Funnel',
        session: sessionIn(c),
        section: '/funnel',
        body: html`
          <h2 id="stages">Stages</h2>
          <table aria-labelledby="stages">
            <thead>
              <tr>
                <th scope="col">Stage</th>
                <th scope="col">Candidates now</th>
                <th scope="col">Entered, 30 days</th>
                <th scope="col">From the stage before</th>
                <th scope="col">Entered, 90 days</th>
                <th scope="col">From the stage before</th>
              </tr>
            </thead>
            <tbody>
              ${f.stages.map((s, i) => {
                const before = f.stages[i - 1];
                return html`<tr>
                  <th scope="row"><a href="/candidates?stage=${s.stage}">${s.stage}</a></th>
                  <td>${s.now}</td>
                  <td>${s.entered30}</td>
                  <td>${before ? rate(s.entered30, before.entered30) : '—'}</td>
                  <td>${s.entered90}</td>
                  <td>${before ? rate(s.entered90, before.entered90) : '—'}</td>
                </tr>`;
              })}
            </tbody>
          </table>
          <p class="muted">
            Entering a stage: a candidate created in it, or moved into it by a playbook's update.
          </p>
          <h2 id="messages">Messages</h2>
          ${
            f.messages.length
              ? html`<table aria-labelledby="messages">
                  <thead>
                    <tr>
                      <th scope="col">Outcome</th>
                      <th scope="col">Last 30 days</th>
                      <th scope="col">Last 90 days</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${f.messages.map(
                      (m) =>
                        html`<tr>
                          <th scope="row"><a href="/outbox?status=${m.status}">${m.status}</a></th>
                          <td>${m.last30}</td>
                          <td>${m.last90}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p class="empty">No message in the last 90 days.</p>`
          }
          <h2 id="journeys">Journeys</h2>
          ${
            f.journeys.length
              ? html`<table aria-labelledby="journeys">
                  <thead>
                    <tr>
                      <th scope="col">Status</th>
                      <th scope="col">Journeys</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${f.journeys.map(
                      (j) =>
                        html`<tr>
                          <th scope="row">${j.status}</th>
                          <td>${j.n}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p class="empty">No journey yet.</p>`
          }
        `,
      });
    },
  }),
];
