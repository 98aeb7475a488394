// Campaigns in the console: the list with each campaign's progress and numbers, and the talent pools; a
// campaign's page with its numbers (a live region while it runs), skips by reason, and pause, resume and
// cancel through the same function as the API (src/campaigns/campaigns.ts).
import type { Context } from 'hono';
import { html } from 'hono/html';
import { campaignNumbers, listCampaigns } from '../db/campaigns.js';
import { listPools } from '../db/pools.js';
import { campaignView, controlCampaign, viewOf, type CampaignView } from '../campaigns/campaigns.js';
import { operation, PAGE_QUERY, UUID_PARAM, type Operation } from '../http/operation.js';
import { paged, pageOf, type PageQuery } from '../http/paging.js';
import { Problem } from '../http/problem.js';
import type { CampaignAction } from '../../workflows/contract.js';
import { csrfField, may, messagePage, nextLink, render, when } from './layout.js';
import { fragmentAnswer, liveRegion } from './live.js';
import { sessionIn } from './session.js';

const NOT_FOUND = (c: Context) => messagePage(c, 404, 'Not found', 'There is no such campaign.');
const fmt = (n: number) => n.toLocaleString('en-US');

function progress(v: CampaignView) {
  const n = v.numbers;
  const decided = n.total - n.queued;
  return html`<progress
      max="${Math.max(n.total, 1)}"
      value="${decided}"
      aria-label="Members decided"
    ></progress>
    ${fmt(decided)} / ${fmt(n.total)}`;
}

/** The numbers of a campaign: its members by outcome, then what its journeys did. */
function numbers(v: CampaignView) {
  const n = v.numbers;
  const reasons = Object.entries(n.skipped_by_reason).sort(([a], [b]) => a.localeCompare(b));
  return html`<p>Status: <strong>${v.status}</strong> · ${progress(v)}</p>
    <table>
      <caption>
        Members and what their journeys did
      </caption>
      <tbody>
        <tr>
          <th scope="row">Taken from the pool</th>
          <td>${fmt(n.total)}</td>
        </tr>
        <tr>
          <th scope="row">Still queued</th>
          <td>${fmt(n.queued)}</td>
        </tr>
        <tr>
          <th scope="row">Requested (journey not started yet)</th>
          <td>${fmt(n.requested)}</td>
        </tr>
        <tr>
          <th scope="row">Enrolled</th>
          <td>${fmt(n.enrolled)}</td>
        </tr>
        <tr>
          <th scope="row">Skipped</th>
          <td>${fmt(n.skipped)}</td>
        </tr>
        <tr>
          <th scope="row">Messages sent</th>
          <td>${fmt(n.sent)}</td>
        </tr>
        <tr>
          <th scope="row">Clicked</th>
          <td>${fmt(n.clicked)}</td>
        </tr>
        <tr>
          <th scope="row">Replied</th>
          <td>${fmt(n.replied)}</td>
        </tr>
        <tr>
          <th scope="row">Converted (reached the playbook’s goal)</th>
          <td>${fmt(n.converted)}</td>
        </tr>
        ${
          n.recruiting_event
            ? html`<tr>
                  <th scope="row">Answered yes / maybe / no</th>
                  <td>
                    ${fmt(n.recruiting_event.rsvps.yes)} / ${fmt(n.recruiting_event.rsvps.maybe)} /
                    ${fmt(n.recruiting_event.rsvps.no)}
                  </td>
                </tr>
                <tr>
                  <th scope="row">Attended / no-shows</th>
                  <td>${fmt(n.recruiting_event.attended)} / ${fmt(n.recruiting_event.no_show)}</td>
                </tr>`
            : ''
        }
      </tbody>
    </table>
    ${
      reasons.length
        ? html`<table>
            <caption>
              Skipped, by reason
            </caption>
            <thead>
              <tr>
                <th scope="col">Reason</th>
                <th scope="col">Candidates</th>
              </tr>
            </thead>
            <tbody>
              ${reasons.map(
                ([reason, count]) =>
                  html`<tr>
                    <td>${reason}</td>
                    <td>${fmt(count)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }`;
}

function controls(c: Context, v: CampaignView) {
  const session = sessionIn(c);
  if (!may(session, 'campaigns:write') || v.status === 'completed' || v.status === 'cancelled') return '';
  const button = (action: CampaignAction, label: string) =>
    html`<form method="post" action="/campaigns/${v.id}/${action}" class="inline">
      ${csrfField(session)}
      <button type="submit">${label}</button>
    </form>`;
  return html`<section aria-labelledby="control">
    <h2 id="control">Control</h2>
    ${v.status === 'paused' ? button('resume', 'Resume') : button('pause', 'Pause')}
    ${button('cancel', 'Cancel the campaign')}
    <p class="muted">Takes effect within seconds; journeys already started go on.</p>
  </section>`;
}

const control = (action: CampaignAction): Operation =>
  operation({
    method: 'post',
    path: `/campaigns/{id}/${action}`,
    console: true,
    summary: `${action[0]!.toUpperCase()}${action.slice(1)}s a campaign, then back to it`,
    access: { session: 'campaigns:write' },
    params: { id: UUID_PARAM },
    body: { form: { type: 'object', properties: { _csrf: { type: 'string' } } } },
    answers: {
      303: { description: 'Done: back to the campaign' },
      404: { description: 'No such campaign', mediaType: 'text/html' },
      409: { description: 'Not possible in its status', mediaType: 'text/html' },
    },
    notFound: NOT_FOUND,
    handle: async (c, { params }, deps) => {
      try {
        await controlCampaign(deps, params.id!, action);
      } catch (error) {
        if (error instanceof Problem && error.status === 404) return NOT_FOUND(c);
        if (error instanceof Problem && error.status === 409)
          return messagePage(c, 409, 'Nothing changed', error.detail ?? error.title);
        throw error;
      }
      return c.redirect(`/campaigns/${params.id!}`, 303);
    },
  });

export const campaignPageOperations = [
  operation<PageQuery>({
    method: 'get',
    path: '/campaigns',
    console: true,
    summary: 'Campaigns with their progress and numbers, and the talent pools',
    access: { session: 'campaigns:read' },
    query: PAGE_QUERY,
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: async (c, { query }, deps) => {
      const session = sessionIn(c);
      const page = pageOf(query);
      const { items, next_cursor } = paged(await listCampaigns(deps.sql, page), page);
      const views = await Promise.all(items.map(async (r) => viewOf(r, await campaignNumbers(deps.sql, r))));
      const pools = may(session, 'pools:read') ? await listPools(deps.sql) : [];
      return render(c, 200, {
        title: 'Campaigns',
        session,
        section: '/campaigns',
        body: html`
          ${
            views.length
              ? html`<table>
                  <thead>
                    <tr>
                      <th scope="col">Campaign</th>
                      <th scope="col">Playbook</th>
                      <th scope="col">Pool</th>
                      <th scope="col">Status</th>
                      <th scope="col">Progress</th>
                      <th scope="col">Enrolled</th>
                      <th scope="col">Skipped</th>
                      <th scope="col">Sent</th>
                      <th scope="col">Replied</th>
                      <th scope="col">Converted</th>
                      <th scope="col">Starts</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${views.map(
                      (v) =>
                        html`<tr>
                          <td><a href="/campaigns/${v.id}">${v.name}</a></td>
                          <td>${v.playbook}</td>
                          <td>${v.pool}</td>
                          <td>${v.status}</td>
                          <td>${progress(v)}</td>
                          <td>${fmt(v.numbers.enrolled + v.numbers.requested)}</td>
                          <td>${fmt(v.numbers.skipped)}</td>
                          <td>${fmt(v.numbers.sent)}</td>
                          <td>${fmt(v.numbers.replied)}</td>
                          <td>${fmt(v.numbers.converted)}</td>
                          <td>${when(v.start_at)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p class="empty">
                  No campaign yet: launch one with the API or <code>rapport campaigns launch</code>.
                </p>`
          }
          ${nextLink(c, next_cursor)}
          ${
            may(session, 'pools:read')
              ? html`<h2 id="pools">Talent pools</h2>
                  ${
                    pools.length
                      ? html`<table aria-labelledby="pools">
                          <thead>
                            <tr>
                              <th scope="col">Pool</th>
                              <th scope="col">Kind</th>
                              <th scope="col">Members</th>
                              <th scope="col">What it is for</th>
                              <th scope="col">Defined in</th>
                            </tr>
                          </thead>
                          <tbody>
                            ${pools.map(
                              (p) =>
                                html`<tr>
                                  <td>${p.name}</td>
                                  <td>${p.kind}</td>
                                  <td>
                                    ${p.members === null ? html`<span class="muted">by its filter</span>` : fmt(p.members)}
                                  </td>
                                  <td>${p.description ?? ''}</td>
                                  <td>${p.source_file ?? html`<span class="muted">the API</span>`}</td>
                                </tr>`,
                            )}
                          </tbody>
                        </table>`
                      : html`<p class="empty">No pool yet.</p>`
                  }`
              : ''
          }
        `,
      });
    },
  }),
  operation({
    method: 'get',
    path: '/campaigns/{id}',
    console: true,
    summary: 'A campaign: its numbers (live while it runs), skips by reason, pause, resume and cancel',
    access: { session: 'campaigns:read' },
    params: { id: UUID_PARAM },
    query: { fragment: { description: 'Only this live region of the page', schema: { type: 'string' } } },
    answers: {
      200: { description: 'The page', mediaType: 'text/html' },
      304: { description: 'The live region has not changed' },
      404: { description: 'No such campaign', mediaType: 'text/html' },
    },
    notFound: NOT_FOUND,
    handle: async (c, { params }, deps) => {
      const view = await campaignView(deps.sql, params.id!);
      if (!view) return NOT_FOUND(c);
      const region = await liveRegion('campaign-numbers', numbers(view));
      const fragment = fragmentAnswer(c, region);
      if (fragment) return fragment;
      return render(c, 200, {
        title: view.name,
        session: sessionIn(c),
        section: '/campaigns',
        body: html`<p>
            Enrolls pool <strong>${view.pool}</strong> into
            <a href="/playbooks/${view.playbook}">${view.playbook}</a>,
            ${view.rate_per_minute ? `${fmt(view.rate_per_minute)} a minute` : 'at no set rate'}, from
            ${when(view.start_at)}${view.contact_class ? html`, in contact class ${view.contact_class}` : ''}${
              view.recruiting_event_id
                ? html`, inviting to <a href="/events/${view.recruiting_event_id}">a recruiting event</a>`
                : ''
            }.
          </p>
          ${region.element} ${controls(c, view)}`,
      });
    },
  }),
  control('pause'),
  control('resume'),
  control('cancel'),
];
