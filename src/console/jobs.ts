// Jobs in the console: the list with a form to open one, and a job's page — the candidates its playbooks
// enrolled, the candidates its rediscovery ranks next with why each matched (skills in common, the
// preferred tag, location, seniority), a form to enroll those a recruiter picks, and closing the job.
// Opening, enrolling and closing go through the same functions as the API (src/http/jobs.ts,
// src/http/enrollment.ts).
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { html } from 'hono/html';
import pLimit from 'p-limit';
import { entries, rankCandidates, type FindQuery, type RankedCandidate } from '../db/find.js';
import {
  enrolledCounts,
  getJobRow,
  jobCandidates,
  jobFinds,
  jobTimeline,
  listJobs,
  type JobRow,
} from '../db/jobs.js';
import { latestPlaybooks } from '../db/playbook-versions.js';
import type { ConsoleSession } from '../db/console-sessions.js';
import { stepName } from '../interpreter/step.js';
import type { PlaybookDefinition } from '../interpreter/types.js';
import type { ApiDeps } from '../http/deps.js';
import { candidateOf } from '../http/candidates.js';
import { enrollCandidate, missingCandidatePlaybook } from '../http/enrollment.js';
import { closeJob, openJob } from '../http/jobs.js';
import { operation, PAGE_QUERY, UUID_PARAM } from '../http/operation.js';
import { paged, pageOf, type PageQuery } from '../http/paging.js';
import { Problem } from '../http/problem.js';
import { candidateName, csrfField, may, messagePage, nextLink, render, when } from './layout.js';
import { fragmentAnswer, liveRegion } from './live.js';
import { sessionIn } from './session.js';

/** How many ranked matches a job's page shows per rediscovery. */
export const MATCHES_SHOWN = 25;

/** How many picked candidates are enrolled at a time. */
const ENROLL_CONCURRENCY = 4;

/** What a rediscovery looks for: the query its `find` step ran, or else the job's own skills and place. */
interface Rediscovery {
  playbook: string | null;
  step: string | null;
  query: FindQuery;
  found?: { candidates: number; at: Date };
}

async function rediscoveries(deps: ApiDeps, job: JobRow): Promise<Rediscovery[]> {
  const finds = await jobFinds(deps.sql, job.id);
  if (finds.length)
    return finds.map((f) => ({
      playbook: f.playbook,
      step: f.step,
      query: f.query as FindQuery,
      found: { candidates: f.candidates, at: f.occurred_at },
    }));
  const match = {
    ...(job.skills.length ? { skills: job.skills } : {}),
    ...(job.location ? { location: job.location } : {}),
    ...(job.seniority ? { seniority: job.seniority } : {}),
  };
  return [{ playbook: null, step: null, query: { match, limit: MATCHES_SHOWN } }];
}

/** The playbook a find step hands its candidates to: the first `enroll` after it in the job playbook. */
function enrollsInto(definition: PlaybookDefinition | undefined, step: string | null): string | undefined {
  const steps = definition?.steps ?? [];
  const at = steps.findIndex((s, i) => stepName(s, ['steps', i]) === step);
  // A find inside a branch: no default, the recruiter chooses.
  if (at < 0) return undefined;
  for (const s of steps.slice(at + 1)) if ('enroll' in s) return s.enroll.playbook;
  return undefined;
}

/** Why a candidate matched, in a recruiter's words. */
function why(m: RankedCandidate, query: FindQuery) {
  const reasons: string[] = [];
  if (m.preferred) reasons.push(`preferred: ${m.preferred}`);
  if (m.matched_skills.length) reasons.push(`skills in common: ${m.matched_skills.join(', ')}`);
  if (query.match.location?.trim()) reasons.push(`location: ${m.location ?? ''}`);
  if (query.match.seniority?.trim())
    reasons.push(m.seniority ? `seniority: ${m.seniority}` : 'seniority not known');
  if (query.match.tags?.length) reasons.push(`tagged ${query.match.tags.join(', ')}`);
  return reasons.length ? reasons.join(' · ') : 'contactable (the query names no criteria)';
}

/** A query in a line: what the rediscovery looked for and what it left out. */
function describe(query: FindQuery) {
  const m = query.match;
  const list = (values: string[] | undefined) => entries(values).join(', ');
  const parts = [
    list(m.skills) ? `skills ${list(m.skills)}` : '',
    m.location ? `location ${m.location}` : '',
    m.seniority ? `seniority ${m.seniority}` : '',
    list(m.tags) ? `tags ${list(m.tags)}` : '',
    list(query.prefer) ? `preferring ${list(query.prefer)}` : '',
    list(query.exclude?.tags) ? `leaving out ${list(query.exclude?.tags)}` : '',
    query.exclude?.contacted_within ? `and anyone contacted within ${query.exclude.contacted_within}` : '',
  ];
  return parts.filter(Boolean).join('; ');
}

function matchTable(
  job: JobRow,
  r: Rediscovery,
  index: number,
  ranked: RankedCandidate[] | { error: string },
  playbooks: PlaybookDefinition[],
  session: ConsoleSession,
) {
  const heading = `matches-${index}`;
  const matches = 'error' in ranked ? [] : ranked;
  const canEnroll = job.status === 'open' && may(session, 'journeys:write');
  const into = enrollsInto(
    playbooks.find((p) => p.playbook === r.playbook),
    r.step,
  );
  const enrollable = playbooks.filter((p) => (p.for ?? 'candidate') === 'candidate');
  const rows = html`<table aria-labelledby="${heading}">
    <thead>
      <tr>
        ${canEnroll ? html`<th scope="col">Pick</th>` : ''}
        <th scope="col">Rank</th>
        <th scope="col">Candidate</th>
        <th scope="col">Why</th>
      </tr>
    </thead>
    <tbody>
      ${matches.map(
        (m, i) =>
          html`<tr>
            ${
              canEnroll
                ? html`<td>
                    <input
                      type="checkbox"
                      name="candidate"
                      value="${m.id}"
                      id="pick-${index}-${i}"
                      aria-label="Pick ${candidateName(m)}"
                    />
                  </td>`
                : ''
            }
            <td>${i + 1}</td>
            <td><a href="/candidates/${m.id}">${candidateName(m)}</a></td>
            <td>${why(m, r.query)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
  return html`<h2 id="${heading}">
      ${r.playbook ? html`Ranked by <code>${r.playbook}</code>` : 'Ranked on the job’s skills and location'}
    </h2>
    <p class="muted">
      ${describe(r.query) || 'Every contactable candidate'}.
      ${
        r.found
          ? html`It found ${r.found.candidates} ${when(r.found.at)} and handed them to its playbook; these are
            the next best, not enrolled for this job yet.`
          : 'No playbook of this job rediscovers candidates, so these follow the job itself.'
      }
    </p>
    ${
      'error' in ranked
        ? html`<p class="bad" role="alert">This rediscovery cannot be ranked again: ${ranked.error}</p>`
        : !matches.length
          ? html`<p class="empty">No other candidate matches.</p>`
          : canEnroll
            ? html`<form method="post" action="/jobs/${job.id}/enroll">
                ${csrfField(session)} ${rows}
                <p>
                  <label for="into-${index}">Enroll the picked candidates in</label>
                  <select id="into-${index}" name="playbook" required>
                    ${enrollable.map(
                      (p) =>
                        html`<option value="${p.playbook}" ${p.playbook === into ? 'selected' : ''}>
                          ${p.title ?? p.playbook} (${p.stage})
                        </option>`,
                    )}
                  </select>
                  <button type="submit">Enroll</button>
                </p>
              </form>`
            : rows
    }`;
}

function enrolledTable(rows: Awaited<ReturnType<typeof jobCandidates>>) {
  if (!rows.length) return html`<p class="empty">Nobody is enrolled for this job yet.</p>`;
  return html`<table aria-labelledby="enrolled">
    <thead>
      <tr>
        <th scope="col">Candidate</th>
        <th scope="col">Playbook</th>
        <th scope="col">Status</th>
        <th scope="col">Step</th>
        <th scope="col">Started</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            <td><a href="/candidates/${r.candidate_id}">${candidateName(r)}</a></td>
            <td>${r.playbook}</td>
            <td>${r.status}</td>
            <td>${r.current_step ? html`<code>${r.current_step}</code>` : '—'}</td>
            <td>${when(r.started_at)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

type JobQuery = { fragment?: string; enrolled?: number; already?: number; gone?: number };

async function jobPage(c: Context, deps: ApiDeps, job: JobRow, query: JobQuery) {
  const session = sessionIn(c);
  const [enrolled, timeline, found, published] = await Promise.all([
    jobCandidates(deps.sql, job.id),
    jobTimeline(deps.sql, job.id),
    rediscoveries(deps, job),
    latestPlaybooks(deps.sql),
  ]);
  const region = await liveRegion('enrolled-list', enrolledTable(enrolled));
  const fragment = fragmentAnswer(c, region);
  if (fragment) return fragment;
  // A recorded query the ranking cannot run (one written by an older version) shows why, not "no match".
  const matches = await Promise.all(
    found.map((r) =>
      rankCandidates(deps.sql, { ...r.query, limit: MATCHES_SHOWN }, { excludeJob: job.id }).catch(
        (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
      ),
    ),
  );
  const playbooks = [...published.values()];
  const notice =
    query.enrolled !== undefined
      ? html`<p role="status" class="ok">
          Enrolled
          ${query.enrolled}.${
            query.already ? ` ${query.already} were in that playbook already and were left as they are.` : ''
          }${
            query.gone ? ` ${query.gone} could not be found (erased or merged since) and were left out.` : ''
          }
        </p>`
      : '';
  return render(c, 200, {
    title: job.title,
    session,
    section: '/jobs',
    body: html`
      ${notice}
      <dl class="profile">
        <dt>Status</dt>
        <dd>${job.status}${job.closed_at ? html` ${when(job.closed_at)}` : ''}</dd>
        <dt>Requisition</dt>
        <dd>${job.source ?? ''} <code>${job.external_id ?? ''}</code></dd>
        <dt>Location</dt>
        <dd>${job.location ?? '—'}</dd>
        <dt>Skills</dt>
        <dd>${job.skills.join(', ') || '—'}</dd>
        <dt>Seniority</dt>
        <dd>${job.seniority ?? '—'}</dd>
        <dt>Opened</dt>
        <dd>${when(job.opened_at)}</dd>
      </dl>
      ${
        job.status === 'open' && may(session, 'jobs:write')
          ? html`<form method="post" action="/jobs/${job.id}/close">
              ${csrfField(session)}
              <button type="submit" class="danger">Close this job</button>
              <span class="muted">The journeys it started end.</span>
            </form>`
          : ''
      }
      <h2 id="enrolled">Enrolled for this job</h2>
      ${region.element} ${found.map((r, i) => matchTable(job, r, i, matches[i]!, playbooks, session))}
      <h2 id="job-timeline">What its playbooks did</h2>
      ${
        timeline.length
          ? html`<ol class="timeline" aria-labelledby="job-timeline">
              ${timeline.map(
                (e) =>
                  html`<li>
                    ${when(e.occurred_at)} <span class="kind">${e.kind}</span>${
                      e.step ? html` · step <code>${e.step}</code>` : ''
                    }
                    <div>${e.summary}</div>
                  </li>`,
              )}
            </ol>`
          : html`<p class="empty">Nothing yet.</p>`
      }
    `,
  });
}

function openForm(session: ConsoleSession) {
  return html`<h2 id="open">Open a job</h2>
    <form method="post" action="/jobs">
      ${csrfField(session)}
      <label for="title">Title</label>
      <input type="text" id="title" name="title" required maxlength="300" />
      <label for="location">Location</label>
      <input type="text" id="location" name="location" maxlength="200" />
      <label for="skills">Skills (separated by commas)</label>
      <input type="text" id="skills" name="skills" maxlength="2000" />
      <label for="seniority">Seniority</label>
      <input type="text" id="seniority" name="seniority" maxlength="50" />
      <label for="external_id">Requisition id (optional: the same id opens the same job)</label>
      <input type="text" id="external_id" name="external_id" maxlength="200" />
      <p><button type="submit">Open the job</button></p>
    </form>`;
}

const TEXT = (maxLength: number) => ({ type: 'string', maxLength });
const NOT_FOUND = (c: Context) => messagePage(c, 404, 'Not found', 'There is no such job.');

export const jobPageOperations = [
  operation<PageQuery & { status?: 'open' | 'closed' }>({
    method: 'get',
    path: '/jobs',
    console: true,
    summary: 'Jobs: open and closed, with how many candidates each enrolled, and a form to open one',
    access: { session: 'jobs:read' },
    query: {
      status: { description: 'Only open or only closed jobs', schema: { enum: ['open', 'closed'] } },
      ...PAGE_QUERY,
    },
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: async (c, { query }, deps) => {
      const session = sessionIn(c);
      const page = pageOf(query);
      const { items, next_cursor } = paged(await listJobs(deps.sql, query.status, page), page);
      const counts = await enrolledCounts(
        deps.sql,
        items.map((j) => j.id),
      );
      const tab = (status: string | undefined, label: string) =>
        html`<a
          href="/jobs${status ? `?status=${status}` : ''}"
          ${query.status === status ? html`aria-current="true"` : ''}
          >${label}</a
        >`;
      return render(c, 200, {
        title: 'Jobs',
        session,
        section: '/jobs',
        body: html`
          <p>${tab(undefined, 'All')} · ${tab('open', 'Open')} · ${tab('closed', 'Closed')}</p>
          ${
            items.length
              ? html`<table>
                  <thead>
                    <tr>
                      <th scope="col">Job</th>
                      <th scope="col">Status</th>
                      <th scope="col">Location</th>
                      <th scope="col">Skills</th>
                      <th scope="col">Candidates enrolled</th>
                      <th scope="col">Opened</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${items.map(
                      (j) =>
                        html`<tr>
                          <td><a href="/jobs/${j.id}">${j.title}</a></td>
                          <td>${j.status}</td>
                          <td>${j.location ?? ''}</td>
                          <td>${j.skills.join(', ')}</td>
                          <td>${counts.get(j.id) ?? 0}</td>
                          <td>${when(j.opened_at)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
              : html`<p class="empty">No job.</p>`
          }
          ${nextLink(c, next_cursor)} ${may(session, 'jobs:write') ? openForm(session) : ''}
        `,
      });
    },
  }),
  operation<
    Record<string, unknown>,
    { title: string; location?: string; skills?: string; seniority?: string; external_id?: string }
  >({
    method: 'post',
    path: '/jobs',
    console: true,
    summary: 'Opens a job (job.opened), then to its page',
    access: { session: 'jobs:write' },
    body: {
      form: {
        type: 'object',
        properties: {
          title: { type: 'string', minLength: 1, maxLength: 300, pattern: '\\S' },
          location: TEXT(200),
          skills: TEXT(2000),
          seniority: TEXT(50),
          external_id: TEXT(200),
          _csrf: { type: 'string' },
        },
        required: ['title'],
      },
    },
    answers: {
      303: { description: 'Opened (or open already): to its page' },
      503: { description: 'The workflow service is behind', mediaType: 'text/html' },
    },
    handle: async (c, { body }, deps) => {
      const skills = entries(body.skills === undefined ? [] : [body.skills]);
      try {
        const { job } = await openJob(deps, {
          external_id: body.external_id?.trim() || `console-${randomUUID()}`,
          title: body.title.trim(),
          ...(body.location?.trim() ? { location: body.location.trim() } : {}),
          ...(skills.length ? { skills } : {}),
          ...(body.seniority?.trim() ? { seniority: body.seniority.trim() } : {}),
        });
        return c.redirect(`/jobs/${job.id}`, 303);
      } catch (error) {
        if (error instanceof Problem && error.status === 503)
          return messagePage(c, 503, 'Not opened', error.detail ?? error.title);
        throw error;
      }
    },
  }),
  operation<JobQuery>({
    method: 'get',
    path: '/jobs/{id}',
    console: true,
    summary: 'A job: who it enrolled, its ranked matches with why each matched, enrolling and closing',
    access: { session: 'jobs:read' },
    params: { id: UUID_PARAM },
    query: {
      fragment: { description: 'Only this live region of the page', schema: { type: 'string' } },
      enrolled: { description: 'How many were just enrolled', schema: { type: 'integer', minimum: 0 } },
      already: {
        description: 'How many were in the playbook already',
        schema: { type: 'integer', minimum: 0 },
      },
      gone: { description: 'How many no longer exist', schema: { type: 'integer', minimum: 0 } },
    },
    answers: {
      200: { description: 'The page', mediaType: 'text/html' },
      304: { description: 'The live region has not changed' },
      404: { description: 'No such job', mediaType: 'text/html' },
    },
    notFound: NOT_FOUND,
    handle: async (c, { params, query }, deps) => {
      const job = await getJobRow(deps.sql, params.id!);
      return job ? jobPage(c, deps, job, query) : NOT_FOUND(c);
    },
  }),
  operation<Record<string, unknown>, { candidate: string[]; playbook: string }>({
    method: 'post',
    path: '/jobs/{id}/enroll',
    console: true,
    summary: 'Enrolls the picked candidates in a playbook for this job, then back to the job',
    access: { session: 'journeys:write' },
    params: { id: UUID_PARAM },
    body: {
      form: {
        type: 'object',
        properties: {
          candidate: {
            type: 'array',
            minItems: 1,
            maxItems: 100,
            items: { type: 'string', format: 'uuid' },
          },
          playbook: TEXT(100),
          _csrf: { type: 'string' },
        },
        required: ['candidate', 'playbook'],
      },
    },
    answers: {
      303: { description: 'Enrolled: back to the job' },
      404: { description: 'No such job', mediaType: 'text/html' },
      409: { description: 'The job is closed', mediaType: 'text/html' },
      422: { description: 'No such playbook', mediaType: 'text/html' },
      503: { description: 'The workflow service is behind', mediaType: 'text/html' },
    },
    notFound: NOT_FOUND,
    handle: async (c, { params, body }, deps) => {
      const job = await getJobRow(deps.sql, params.id!);
      if (!job) return NOT_FOUND(c);
      if (job.status !== 'open')
        return messagePage(c, 409, 'Not enrolled', 'The job is closed: nobody can be enrolled for it.');
      // Checked once, so that a 404 below is a candidate who is gone.
      const noPlaybook = await missingCandidatePlaybook(deps.sql, body.playbook);
      if (noPlaybook) return messagePage(c, 422, 'Not enrolled', `The playbook ${noPlaybook.message}.`);
      // A few at a time: each is an update of the candidate's workflow that waits for its answer.
      const outcomes = await pLimit(ENROLL_CONCURRENCY).map([...new Set(body.candidate)], async (id) => {
        try {
          await enrollCandidate(deps, (await candidateOf(deps, id)).id, body.playbook, job.id);
          return 'enrolled' as const;
        } catch (error) {
          // The candidate is in that playbook already (409), or no longer exists (404).
          if (error instanceof Problem && error.status === 409) return 'already' as const;
          if (error instanceof Problem && error.status === 404) return 'gone' as const;
          return { error };
        }
      });
      const count = (what: string) => outcomes.filter((o) => o === what).length;
      const enrolled = count('enrolled');
      const already = count('already');
      const gone = count('gone');
      const failed = outcomes.find((o): o is { error: unknown } => typeof o === 'object');
      if (failed) {
        const error = failed.error;
        if (error instanceof Problem && [422, 503].includes(error.status))
          return messagePage(
            c,
            error.status,
            'Not all enrolled',
            `${enrolled} enrolled; the others were not: ${error.detail ?? error.title}`,
          );
        throw error;
      }
      const counts = `enrolled=${enrolled}&already=${already}${gone ? `&gone=${gone}` : ''}`;
      return c.redirect(`/jobs/${job.id}?${counts}#enrolled`, 303);
    },
  }),
  operation({
    method: 'post',
    path: '/jobs/{id}/close',
    console: true,
    summary: 'Closes a job (job.closed: the journeys it started end), then back to the job',
    access: { session: 'jobs:write' },
    params: { id: UUID_PARAM },
    body: { form: { type: 'object', properties: { _csrf: { type: 'string' } } } },
    answers: {
      303: { description: 'Closed: back to the job' },
      404: { description: 'No such job', mediaType: 'text/html' },
      409: { description: 'Closed already', mediaType: 'text/html' },
      503: { description: 'The workflow service is behind', mediaType: 'text/html' },
    },
    notFound: NOT_FOUND,
    handle: async (c, { params }, deps) => {
      const job = await getJobRow(deps.sql, params.id!);
      if (!job) return NOT_FOUND(c);
      try {
        await closeJob(deps, job.id);
      } catch (error) {
        if (error instanceof Problem && [409, 503].includes(error.status))
          return messagePage(c, error.status, 'Not closed', error.detail ?? error.title);
        throw error;
      }
      return c.redirect(`/jobs/${job.id}`, 303);
    },
  }),
];
