// Candidates in the console: search with filters, and a candidate's page — profile, consent, journeys,
// and one timeline that runs from the past (what was sent, received, noted, updated and decided, with the
// step and the reason) through now into the future (what each running journey does next and when, read
// live from its workflow). Actions follow the key's scopes: a note, pause/resume/cancel of a journey.
import { html } from 'hono/html';
import type { Context } from 'hono';
import { addNote, searchCandidates, type CandidateListItem } from '../db/candidate-records.js';
import { getCandidate, getTimeline } from '../db/candidates.js';
import { listJourneysForCandidate } from '../db/journeys.js';
import type { ConsoleSession } from '../db/console-sessions.js';
import { latestPlaybooks } from '../db/playbook-versions.js';
import type { PlaybookDefinition } from '../interpreter/types.js';
import { eraseCandidateEverywhere } from '../http/candidate-records.js';
import { enrollCandidate } from '../http/enrollment.js';
import type { ApiDeps } from '../http/deps.js';
import { operateJourney, type JourneyVerb } from '../http/journeys.js';
import { operation, PAGE_QUERY, UUID_PARAM } from '../http/operation.js';
import { paged, pageOf, type PageQuery } from '../http/paging.js';
import { Problem } from '../http/problem.js';
import { candidateWorkflowId, journeysQuery, type JourneySummary } from '../../workflows/contract.js';
import type { Candidate, TimelineEntry } from '../domain.js';
import { candidateName, csrfField, may, messagePage, nextLink, render, when } from './layout.js';
import { fragmentAnswer, liveRegion } from './live.js';
import { sessionIn } from './session.js';

/** What a recruiter types to confirm an erasure: the candidate's email, else the word "erase". */
const confirmationOf = (c: Candidate) => c.email ?? 'erase';

function enrollForm(id: string, playbooks: PlaybookDefinition[], session: ConsoleSession) {
  return html`<h2 id="enroll">Enroll in a playbook</h2>
    <form method="post" action="/candidates/${id}/enroll">
      ${csrfField(session)}
      <label for="playbook">Playbook</label>
      <select id="playbook" name="playbook" required>
        ${playbooks.map((p) => html`<option value="${p.playbook}">${p.title ?? p.playbook} (${p.stage})</option>`)}
      </select>
      <p><button type="submit">Enroll</button></p>
    </form>`;
}

function eraseForm(candidate: Candidate, session: ConsoleSession) {
  return html`<h2 id="erase">Erase this candidate</h2>
    <form method="post" action="/candidates/${candidate.id}/erase">
      ${csrfField(session)}
      <p>
        Every personal field and everything written about them is scrubbed, and their journeys end. This
        cannot be undone.
      </p>
      <label for="confirm">Type <code>${confirmationOf(candidate)}</code> to confirm</label>
      <input type="text" id="confirm" name="confirm" autocomplete="off" required />
      <p><button type="submit" class="danger">Erase</button></p>
    </form>`;
}

type Filters = PageQuery & {
  q?: string;
  tag?: string[];
  stage?: string;
  employment_status?: string;
  playbook?: string;
};

const TEXT = (description: string) => ({ description, schema: { type: 'string', maxLength: 200 } });

function filterForm(q: Filters) {
  return html`<form class="filters" method="get" action="/candidates" role="search">
    <div>
      <label for="q">Name or email</label>
      <input type="search" id="q" name="q" value="${q.q ?? ''}" />
    </div>
    <div>
      <label for="tag">Tag</label>
      <input type="text" id="tag" name="tag" value="${q.tag?.[0] ?? ''}" />
    </div>
    <div>
      <label for="stage">Stage</label>
      <input type="text" id="stage" name="stage" value="${q.stage ?? ''}" />
    </div>
    <div>
      <label for="employment_status">Employment status</label>
      <input
        type="text"
        id="employment_status"
        name="employment_status"
        value="${q.employment_status ?? ''}"
      />
    </div>
    <div>
      <label for="playbook">In playbook</label>
      <input type="text" id="playbook" name="playbook" value="${q.playbook ?? ''}" />
    </div>
    <div><button type="submit">Search</button></div>
  </form>`;
}

function candidateRows(items: CandidateListItem[]) {
  if (!items.length) return html`<p class="empty">No candidate matches.</p>`;
  return html`<table>
    <thead>
      <tr>
        <th scope="col">Candidate</th>
        <th scope="col">Stage</th>
        <th scope="col">Employment</th>
        <th scope="col">Tags</th>
        <th scope="col">Updated</th>
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (c) =>
          html`<tr>
            <td><a href="/candidates/${c.id}">${candidateName(c)}</a></td>
            <td>${c.stage ?? ''}</td>
            <td>${c.employment_status ?? ''}</td>
            <td>${c.tags.join(', ')}</td>
            <td>${when(c.updated_at)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** What a running journey does next, as a line of the future half of the timeline. */
function futureLine(j: JourneySummary) {
  const next = j.next;
  if (!next) return undefined;
  const where = j.currentStep ? html` at <code>${j.currentStep}</code>` : '';
  if (next.kind === 'timer') {
    const why =
      next.reason === 'window'
        ? 'a send waits for the sending window'
        : next.reason === 'cap'
          ? 'a send waits under the cap'
          : next.reason === 'repeat'
            ? 'the next repetition'
            : next.reason === 'policy'
              ? 'a send the contact policy holds asks again'
              : 'a wait ends';
    return { at: next.at, line: html`<strong>${j.playbook}</strong>${where}: ${why}` };
  }
  if (next.kind === 'event')
    return {
      at: next.until,
      line: html`<strong>${j.playbook}</strong>${where}: waits for ${next.events.join(' or ')} until then`,
    };
  return { at: undefined, line: html`<strong>${j.playbook}</strong>${where}: carrying out the step now` };
}

function timelineEntry(e: TimelineEntry) {
  return html`<li>
    ${when(e.occurred_at)}
    <span class="kind">${e.kind}</span>${e.step ? html` · step <code>${e.step}</code>` : ''}
    <div>${e.summary}</div>
  </li>`;
}

async function liveJourneys(deps: ApiDeps, candidateId: string): Promise<JourneySummary[] | undefined> {
  return deps.temporal.workflow
    .getHandle(candidateWorkflowId(candidateId))
    .query(journeysQuery)
    .catch(() => undefined);
}

async function candidatePage(c: Context, deps: ApiDeps, candidate: Candidate) {
  const session = sessionIn(c);
  const [timeline, journeys, live, published] = await Promise.all([
    getTimeline(deps.sql, candidate.id),
    listJourneysForCandidate(deps.sql, candidate.id),
    liveJourneys(deps, candidate.id),
    latestPlaybooks(deps.sql),
  ]);
  const enrollable = [...published.values()].filter((p) => (p.for ?? 'candidate') === 'candidate');
  const future = (live ?? [])
    .filter((j) => !['completed', 'exited', 'cancelled', 'failed'].includes(j.status))
    .map((j) => ({ journey: j, next: futureLine(j) }))
    .filter((f) => f.next !== undefined)
    .sort((a, b) => String(a.next!.at ?? '').localeCompare(String(b.next!.at ?? '')));
  const back = `/candidates/${candidate.id}`;
  const actions = (id: string, status: string) => {
    if (!may(session, 'journeys:write') || ['completed', 'exited', 'cancelled', 'failed'].includes(status))
      return '';
    const verbs: JourneyVerb[] = status === 'paused' ? ['resume', 'cancel'] : ['pause', 'cancel'];
    return verbs.map(
      (verb) =>
        html`<form class="inline" method="post" action="/journeys/${encodeURIComponent(id)}/${verb}">
          ${csrfField(session)}<input type="hidden" name="back" value="${back}" />
          <button type="submit">${verb[0]!.toUpperCase()}${verb.slice(1)}</button>
        </form>`,
    );
  };
  const region = await liveRegion(
    'candidate-live',
    html`
      <h2 id="journeys">Journeys</h2>
      ${
        journeys.length
          ? html`<table aria-labelledby="journeys">
              <thead>
                <tr>
                  <th scope="col">Playbook</th>
                  <th scope="col">Status</th>
                  <th scope="col">Step</th>
                  <th scope="col">Started</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                ${journeys.map((j) => {
                  const status = live?.find((l) => l.id === j.id)?.status ?? j.status;
                  return html`<tr>
                    <td>${j.playbook} v${j.playbook_version}</td>
                    <td>
                      ${status}${j.exit_reason ? html` <span class="muted">(${j.exit_reason})</span>` : ''}
                    </td>
                    <td>${j.current_step ? html`<code>${j.current_step}</code>` : '—'}</td>
                    <td>${when(j.started_at)}</td>
                    <td>${actions(j.id, status)}</td>
                  </tr>`;
                })}
              </tbody>
            </table>`
          : html`<p class="empty">No journey yet.</p>`
      }

      <h2 id="timeline">Timeline</h2>
      <ol class="timeline" aria-labelledby="timeline">
        ${timeline.map(timelineEntry)}
      </ol>
      <p class="now" id="now">Now</p>
      <ol class="timeline" aria-labelledby="now">
        ${
          future.length
            ? future.map(
                (f) =>
                  html`<li class="future">
                    ${when(f.next!.at)}
                    <div>${f.next!.line}</div>
                  </li>`,
              )
            : html`<li class="empty">Nothing is scheduled.</li>`
        }
        ${
          live === undefined && journeys.some((j) => !j.ended_at)
            ? html`<li class="warn">
                The workflow service cannot be reached: what is scheduled is not shown.
              </li>`
            : ''
        }
      </ol>
    `,
  );
  const fragment = fragmentAnswer(c, region);
  if (fragment) return fragment;
  return render(c, 200, {
    title: candidateName(candidate),
    session,
    section: '/candidates',
    body: html`
      <dl class="profile">
        <dt>Email</dt>
        <dd>${candidate.email ?? ''}</dd>
        <dt>Stage</dt>
        <dd>${candidate.stage ?? '—'}</dd>
        <dt>Employment status</dt>
        <dd>${candidate.employment_status ?? '—'}</dd>
        <dt>Consent</dt>
        <dd>
          email ${candidate.consent.email ? 'yes' : 'no'}, SMS ${candidate.consent.sms ? 'yes' : 'no'}
          ${candidate.unsubscribed_at ? html` · <span class="warn">unsubscribed</span> ${when(candidate.unsubscribed_at)}` : ''}
        </dd>
        <dt>Tags</dt>
        <dd>${candidate.tags.join(', ') || '—'}</dd>
        <dt>Owner</dt>
        <dd>${candidate.owner ?? '—'}</dd>
      </dl>

      ${region.element}
      ${
        may(session, 'candidates:write')
          ? html`<h2 id="add-note">Add a note</h2>
              <form method="post" action="/candidates/${candidate.id}/notes">
                ${csrfField(session)}
                <label for="note">Note</label>
                <textarea id="note" name="text" rows="3" required></textarea>
                <p><button type="submit">Add note</button></p>
              </form>`
          : ''
      }
      ${may(session, 'journeys:write') ? enrollForm(candidate.id, enrollable, session) : ''}
      ${may(session, 'candidates:erase') ? eraseForm(candidate, session) : ''}
    `,
  });
}

export const candidatePageOperations = [
  operation<Filters>({
    method: 'get',
    path: '/candidates',
    console: true,
    summary: 'Candidates: search and filters',
    access: { session: 'candidates:read' },
    query: {
      q: TEXT('Words of a name or an email'),
      tag: { ...TEXT('A tag (repeat for several)'), repeated: true },
      stage: TEXT('Stage'),
      employment_status: TEXT('Employment status'),
      playbook: TEXT('A playbook the candidate is in'),
      ...PAGE_QUERY,
    },
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: async (c, { query }, deps) => {
      const page = pageOf(query);
      const rows = await searchCandidates(
        deps.sql,
        {
          q: query.q,
          tags: query.tag ?? [],
          stage: query.stage,
          employmentStatus: query.employment_status,
          playbook: query.playbook,
        },
        page,
      );
      const { items, next_cursor } = paged(rows, page);
      return render(c, 200, {
        title: 'Candidates',
        session: sessionIn(c),
        section: '/candidates',
        body: html`${filterForm(query)} ${candidateRows(items)} ${nextLink(c, next_cursor)}`,
      });
    },
  }),
  operation({
    method: 'get',
    path: '/candidates/{id}',
    console: true,
    summary: 'A candidate: profile, journeys, and the timeline past → future',
    access: { session: 'candidates:read' },
    params: { id: UUID_PARAM },
    query: { fragment: { description: 'Only this live region of the page', schema: { type: 'string' } } },
    answers: {
      200: { description: 'The page', mediaType: 'text/html' },
      304: { description: 'The live region has not changed' },
      404: { description: 'No such candidate', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such candidate.'),
    handle: async (c, { params }, deps) => {
      const candidate = await getCandidate(deps.sql, params.id!);
      if (!candidate)
        return messagePage(c, 404, 'Not found', 'There is no such candidate (or it was erased).');
      return candidatePage(c, deps, candidate);
    },
  }),
  operation<Record<string, unknown>, { text: string }>({
    method: 'post',
    path: '/candidates/{id}/notes',
    console: true,
    summary: 'Adds a note to a candidate',
    access: { session: 'candidates:write' },
    params: { id: UUID_PARAM },
    body: {
      form: {
        type: 'object',
        properties: { text: { type: 'string', minLength: 1, maxLength: 10_000 }, _csrf: { type: 'string' } },
        required: ['text'],
      },
    },
    answers: {
      303: { description: 'Added: back to the candidate' },
      404: { description: 'No such candidate', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such candidate.'),
    handle: async (c, { params, body }, deps) => {
      const candidate = await getCandidate(deps.sql, params.id!);
      if (!candidate)
        return messagePage(c, 404, 'Not found', 'There is no such candidate (or it was erased).');
      await addNote(deps.sql, candidate.id, body.text.trim(), sessionIn(c).key.name);
      return c.redirect(`/candidates/${candidate.id}#timeline`, 303);
    },
  }),
  operation<Record<string, unknown>, { playbook: string }>({
    method: 'post',
    path: '/candidates/{id}/enroll',
    console: true,
    summary: 'Enrolls a candidate in a playbook, then back to the candidate',
    access: { session: 'journeys:write' },
    params: { id: UUID_PARAM },
    body: {
      form: {
        type: 'object',
        properties: { playbook: { type: 'string', maxLength: 100 }, _csrf: { type: 'string' } },
        required: ['playbook'],
      },
    },
    answers: {
      303: { description: 'Enrolled: back to the candidate' },
      404: { description: 'No such candidate, or no such playbook', mediaType: 'text/html' },
      409: { description: 'Already in that playbook', mediaType: 'text/html' },
      422: { description: 'The playbook cannot enroll the candidate', mediaType: 'text/html' },
      503: { description: 'The workflow service is behind', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such candidate.'),
    handle: async (c, { params, body }, deps) => {
      const candidate = await getCandidate(deps.sql, params.id!);
      if (!candidate)
        return messagePage(c, 404, 'Not found', 'There is no such candidate (or it was erased).');
      try {
        await enrollCandidate(deps, candidate.id, body.playbook);
      } catch (error) {
        if (error instanceof Problem && [404, 409, 422, 503].includes(error.status))
          return messagePage(c, error.status, 'Not enrolled', error.detail ?? error.title);
        throw error;
      }
      return c.redirect(`/candidates/${candidate.id}#journeys`, 303);
    },
  }),
  operation<Record<string, unknown>, { confirm: string }>({
    method: 'post',
    path: '/candidates/{id}/erase',
    console: true,
    summary: 'Erases a candidate once the confirmation is typed',
    access: { session: 'candidates:erase' },
    params: { id: UUID_PARAM },
    body: {
      form: {
        type: 'object',
        properties: { confirm: { type: 'string', maxLength: 400 }, _csrf: { type: 'string' } },
        required: ['confirm'],
      },
    },
    answers: {
      303: { description: 'Erased: to the candidates' },
      404: { description: 'No such candidate', mediaType: 'text/html' },
      422: { description: 'The confirmation does not match', mediaType: 'text/html' },
      503: { description: 'Erased, the workflow not ended yet: send again', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such candidate.'),
    handle: async (c, { params, body }, deps) => {
      const candidate = await getCandidate(deps.sql, params.id!);
      if (!candidate)
        return messagePage(c, 404, 'Not found', 'There is no such candidate (or it was erased).');
      if (body.confirm.trim().toLowerCase() !== confirmationOf(candidate).toLowerCase())
        return messagePage(
          c,
          422,
          'Not erased',
          `The confirmation did not match: type ${confirmationOf(candidate)} exactly. Nothing was changed.`,
        );
      try {
        await eraseCandidateEverywhere(deps, candidate.id);
      } catch (error) {
        if (error instanceof Problem && error.status === 503)
          return messagePage(c, 503, 'Erased, not finished', error.detail ?? error.title);
        throw error;
      }
      return c.redirect('/candidates', 303);
    },
  }),
  ...(['pause', 'resume', 'cancel'] as const).map((verb) =>
    operation<Record<string, unknown>, { back?: string }>({
      method: 'post',
      path: `/journeys/{id}/${verb}`,
      console: true,
      summary: `${verb[0]!.toUpperCase()}${verb.slice(1)}s a journey, then back to where the form was`,
      access: { session: 'journeys:write' },
      params: { id: { description: 'Journey (URL-encoded)', schema: { type: 'string', maxLength: 500 } } },
      body: {
        form: {
          type: 'object',
          properties: { back: { type: 'string', maxLength: 500 }, _csrf: { type: 'string' } },
        },
      },
      answers: {
        303: { description: 'Done: back to the page the form was on' },
        404: { description: 'No such journey', mediaType: 'text/html' },
        409: { description: 'The journey cannot do that now', mediaType: 'text/html' },
        503: { description: 'The workflow service is behind', mediaType: 'text/html' },
      },
      handle: async (c, { params, body }, deps) => {
        try {
          await operateJourney(
            deps,
            params.id!,
            verb,
            `${verb} from the console by ${sessionIn(c).key.name}`,
          );
        } catch (error) {
          if (error instanceof Problem && [404, 409, 503].includes(error.status))
            return messagePage(c, error.status, error.title, error.detail ?? error.title);
          throw error;
        }
        const back =
          typeof body.back === 'string' && /^\/candidates\/[0-9a-f-]{36}$/.test(body.back) ? body.back : '/';
        return c.redirect(back, 303);
      },
    }),
  ),
];
