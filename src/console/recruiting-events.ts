// Recruiting events in the console: the list with seats, waitlist and attendance; an event's page with
// its numbers (a live region until it closes), everyone who answered or came (200 at a time, with links
// to the next ones), a check-in button at the door for each, and closing the event — through
// the same functions as the API (src/recruiting-events/recruiting-events.ts).
import type { Context } from 'hono';
import { html } from 'hono/html';
import {
  listRecruitingEvents,
  listRsvps,
  RSVP_CURSOR_PATTERN,
  type RsvpListRow,
} from '../db/recruiting-events.js';
import {
  closeEvent,
  eventNumbers,
  eventView,
  recordCheckIn,
  viewOf,
  type EventView,
} from '../recruiting-events/recruiting-events.js';
import { operation, PAGE_QUERY, UUID_PARAM } from '../http/operation.js';
import { MAX_LIMIT, paged, pageOf, type PageQuery } from '../http/paging.js';
import { Problem } from '../http/problem.js';
import { candidateName, csrfField, may, messagePage, nextLink, render, when } from './layout.js';
import { fragmentAnswer, liveRegion } from './live.js';
import { sessionIn } from './session.js';

/** Guests shown at once on an event's page; the numbers above count everyone. */
const GUESTS_PER_PAGE = MAX_LIMIT;

const NOT_FOUND = (c: Context) => messagePage(c, 404, 'Not found', 'There is no such recruiting event.');
const fmt = (n: number) => n.toLocaleString('en-US');
const seats = (v: EventView) =>
  v.capacity === null ? `${fmt(v.numbers.going)} going` : `${fmt(v.numbers.going)} / ${fmt(v.capacity)}`;

function numbers(v: EventView) {
  const n = v.numbers;
  const row = (label: string, value: number | string) =>
    html`<tr>
      <th scope="row">${label}</th>
      <td>${typeof value === 'number' ? fmt(value) : value}</td>
    </tr>`;
  return html`<p>Status: <strong>${v.status}</strong></p>
    <table>
      <caption>
        Invitations, answers and attendance
      </caption>
      <tbody>
        ${row('Invited (by its campaigns)', n.invited)} ${row('Messages sent', n.sent)}
        ${row('Clicked', n.clicked)} ${row('Answered yes', n.rsvps.yes)}
        ${row('Answered maybe', n.rsvps.maybe)} ${row('Answered no', n.rsvps.no)}
        ${row('Seats taken', seats(v))} ${row('On the waitlist', n.waitlisted)}
        ${row('Checked in', n.checked_in)} ${row('Attended', n.attended)} ${row('No-shows', n.no_show)}
        ${row('Hired since', n.hired)}
      </tbody>
    </table>`;
}

function guests(c: Context, v: EventView, rows: RsvpListRow[]) {
  const session = sessionIn(c);
  const door = v.status === 'scheduled' && may(session, 'recruiting-events:write');
  if (!rows.length) return html`<p class="empty">Nobody has answered yet.</p>`;
  return html`<table aria-labelledby="guests">
    <thead>
      <tr>
        <th scope="col">Candidate</th>
        <th scope="col">Answer</th>
        <th scope="col">Status</th>
        <th scope="col">Answered</th>
        <th scope="col">Checked in</th>
        <th scope="col">Outcome</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            <td><a href="/candidates/${r.candidate_id}">${candidateName(r)}</a></td>
            <td>${r.answer ?? html`<span class="muted">—</span>`}</td>
            <td>${r.status.replace('_', '-')}</td>
            <td>${when(r.answered_at)}</td>
            <td>
              ${
                r.checked_in_at
                  ? when(r.checked_in_at)
                  : door
                    ? html`<form method="post" action="/events/${v.id}/check-in" class="inline">
                        ${csrfField(session)}
                        <input type="hidden" name="candidate" value="${r.candidate_id}" />
                        <button type="submit" aria-label="Check in ${candidateName(r)}">Check in</button>
                      </form>`
                    : html`<span class="muted">—</span>`
              }
            </td>
            <td>
              ${r.outcome === 'attended' ? 'attended' : r.outcome === 'no_show' ? 'no-show' : ''}
              ${r.hired_at ? html` · hired ${when(r.hired_at)}` : ''}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Where the guests shown sit in the whole list, and the links to the first and the next ones. */
function guestPages(
  v: EventView,
  list: { items: RsvpListRow[]; next_cursor: string | null },
  cursor?: string,
) {
  if (!cursor && !list.next_cursor) return '';
  return html`<p class="muted">
    ${fmt(list.items.length)} guests shown, ${fmt(GUESTS_PER_PAGE)} at a time.
    ${cursor ? html`<a href="/events/${v.id}#guests">First guests</a>` : ''}
    ${list.next_cursor ? html`<a href="/events/${v.id}?cursor=${list.next_cursor}#guests">Next guests</a>` : ''}
  </p>`;
}

const FORM = { type: 'object', properties: { _csrf: { type: 'string' } } };

export const recruitingEventPageOperations = [
  operation<PageQuery>({
    method: 'get',
    path: '/events',
    console: true,
    summary: 'Recruiting events with their seats, waitlist and attendance',
    access: { session: 'recruiting-events:read' },
    query: PAGE_QUERY,
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: async (c, { query }, deps) => {
      const page = pageOf(query);
      const { items, next_cursor } = paged(await listRecruitingEvents(deps.sql, page), page);
      const views = await Promise.all(items.map(async (r) => viewOf(r, await eventNumbers(deps.sql, r))));
      return render(c, 200, {
        title: 'Recruiting events',
        session: sessionIn(c),
        section: '/events',
        body: html`${
          views.length
            ? html`<table>
                <thead>
                  <tr>
                    <th scope="col">Event</th>
                    <th scope="col">Starts</th>
                    <th scope="col">Status</th>
                    <th scope="col">Invited</th>
                    <th scope="col">Seats</th>
                    <th scope="col">Waitlist</th>
                    <th scope="col">Attended</th>
                    <th scope="col">No-shows</th>
                    <th scope="col">Hired since</th>
                  </tr>
                </thead>
                <tbody>
                  ${views.map(
                    (v) =>
                      html`<tr>
                        <td><a href="/events/${v.id}">${v.title}</a></td>
                        <td>${when(v.starts_at)}</td>
                        <td>${v.status}</td>
                        <td>${fmt(v.numbers.invited)}</td>
                        <td>${seats(v)}</td>
                        <td>${fmt(v.numbers.waitlisted)}</td>
                        <td>${fmt(v.numbers.attended)}</td>
                        <td>${fmt(v.numbers.no_show)}</td>
                        <td>${fmt(v.numbers.hired)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
            : html`<p class="empty">
                No recruiting event yet: create one with the API or
                <code>rapport recruiting-events create</code>.
              </p>`
        }
        ${nextLink(c, next_cursor)}`,
      });
    },
  }),
  operation<{ cursor?: string }>({
    method: 'get',
    path: '/events/{id}',
    console: true,
    summary: 'A recruiting event: its numbers, who answered or came, check-in at the door, closing it',
    access: { session: 'recruiting-events:read' },
    params: { id: UUID_PARAM },
    query: {
      fragment: { description: 'Only this live region of the page', schema: { type: 'string' } },
      cursor: {
        description: 'The guest list from after this place on (the link to the next guests)',
        schema: { type: 'string', pattern: RSVP_CURSOR_PATTERN },
      },
    },
    answers: {
      200: { description: 'The page', mediaType: 'text/html' },
      304: { description: 'The live region has not changed' },
      404: { description: 'No such event', mediaType: 'text/html' },
    },
    notFound: NOT_FOUND,
    handle: async (c, { params, query }, deps) => {
      const view = await eventView(deps.sql, params.id!);
      if (!view) return NOT_FOUND(c);
      const region = await liveRegion('event-numbers', numbers(view));
      const fragment = fragmentAnswer(c, region);
      if (fragment) return fragment;
      const session = sessionIn(c);
      const list = may(session, 'candidates:read')
        ? await listRsvps(deps.sql, view.id, { limit: GUESTS_PER_PAGE, cursor: query.cursor })
        : undefined;
      const closing =
        view.status === 'scheduled' && may(session, 'recruiting-events:write')
          ? html`<form method="post" action="/events/${view.id}/close">
              ${csrfField(session)}
              <button type="submit">Close the event</button>
              <p class="muted">
                Everyone checked in attended; everyone else holding a seat is a no-show. Each gets the
                follow-up their playbook sends. It closes by itself a day after it ends.
              </p>
            </form>`
          : '';
      return render(c, 200, {
        title: view.title,
        session,
        section: '/events',
        body: html`<p>
            ${view.kind.replace('_', ' ')} · ${when(view.starts_at)} (${view.timezone}) ·
            ${view.location ?? html`<a href="${view.url}">${view.url}</a>`}
          </p>
          ${region.element}
          ${
            list
              ? html`<h2 id="guests">Who answered or came</h2>
                  ${guestPages(view, list, query.cursor)} ${guests(c, view, list.items)}
                  ${guestPages(view, list, query.cursor)}`
              : ''
          }
          ${closing}`,
      });
    },
  }),
  operation<Record<string, unknown>, { candidate: string }>({
    method: 'post',
    path: '/events/{id}/check-in',
    console: true,
    summary: 'Checks a candidate in at the door, then back to the event',
    access: { session: 'recruiting-events:write' },
    params: { id: UUID_PARAM },
    body: {
      form: {
        type: 'object',
        properties: { candidate: { type: 'string', format: 'uuid' }, _csrf: { type: 'string' } },
        required: ['candidate'],
      },
    },
    answers: {
      303: { description: 'Checked in: back to the event' },
      404: { description: 'No such event', mediaType: 'text/html' },
      409: { description: 'The event is closed', mediaType: 'text/html' },
    },
    notFound: NOT_FOUND,
    handle: async (c, { params, body }, deps) => {
      try {
        await recordCheckIn(deps.sql, params.id!, { candidateIds: [body.candidate] });
      } catch (error) {
        if (error instanceof Problem && error.status === 404) return NOT_FOUND(c);
        if (error instanceof Problem && error.status === 409)
          return messagePage(c, 409, 'Not checked in', error.detail ?? error.title);
        throw error;
      }
      return c.redirect(`/events/${params.id!}#guests`, 303);
    },
  }),
  operation({
    method: 'post',
    path: '/events/{id}/close',
    console: true,
    summary: 'Closes a recruiting event (attendance decided), then back to it',
    access: { session: 'recruiting-events:write' },
    params: { id: UUID_PARAM },
    body: { form: FORM },
    answers: {
      303: { description: 'Closed: back to the event' },
      404: { description: 'No such event', mediaType: 'text/html' },
    },
    notFound: NOT_FOUND,
    handle: async (c, { params }, deps) => {
      try {
        await closeEvent(deps, params.id!);
      } catch (error) {
        if (error instanceof Problem && error.status === 404) return NOT_FOUND(c);
        throw error;
      }
      return c.redirect(`/events/${params.id!}`, 303);
    },
  }),
];
