// Playbooks in the console: the list (stage, version, running journeys, goal conversion) and a
// playbook's page — its steps drawn as a diagram with the journeys at each step now, its versions, and a
// validation box (paste YAML, read every error with its line and column).
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ApiDeps } from '../http/deps.js';
import {
  activeJourneysByStep,
  goalConversions,
  listPlaybookSummaries,
  playbookVersions,
} from '../db/playbook-versions.js';
import { operation } from '../http/operation.js';
import { simulatePlaybook, validatePlaybookText } from '../http/playbooks.js';
import { validate } from '../schemas/index.js';
import { stepFunnel, type StepFunnel } from '../db/step-funnel.js';
import type { PlaybookDefinition } from '../interpreter/types.js';
import { playbookDiagram, stepList } from './diagram.js';
import { fragmentAnswer, liveRegion } from './live.js';
import { csrfField, messagePage, render, when } from './layout.js';
import { sessionIn } from './session.js';

const ENDED = ['completed', 'exited', 'cancelled', 'failed'];
const PLAYBOOK_ID = {
  id: { description: 'Playbook id', schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } },
};

const percent = (part: number, whole: number) => (whole ? `${Math.round((100 * part) / whole)}%` : '—');

/** A sample candidate for the simulation panel, as a recruiter would start from. */
const SAMPLE = JSON.stringify(
  { email: 'ada@example.com', first_name: 'Ada', timezone: 'Europe/Berlin', consent: { email: true } },
  null,
  2,
);

interface Simulated {
  candidate: string;
  days: number;
  lines?: ReturnType<typeof simulatePlaybook>;
  error?: string;
}

function simulationPanel(id: string, session: ReturnType<typeof sessionIn>, sim?: Simulated) {
  return html`<h2 id="simulate">Simulate</h2>
    <form method="post" action="/playbooks/${id}/simulate">
      ${csrfField(session)}
      <label for="candidate">Sample candidate (JSON)</label>
      <textarea id="candidate" name="candidate" rows="7" required>${sim?.candidate ?? SAMPLE}</textarea>
      <label for="days">Days</label>
      <input type="text" id="days" name="days" inputmode="numeric" value="${sim?.days ?? 365}" />
      <p><button type="submit">Simulate</button></p>
    </form>
    ${sim?.error ? html`<p class="bad" role="alert">${sim.error}</p>` : ''}
    ${
      sim?.lines
        ? html`<table aria-label="What the sample candidate would receive, when, and why">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Step</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              ${sim.lines.map(
                (l) =>
                  html`<tr>
                    <td>${when(l.at)}</td>
                    <td>${l.action}</td>
                    <td>${l.step ? html`<code>${l.step}</code>` : ''}</td>
                    <td>${detailOf(l)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }`;
}

/** The words of a simulated line that say what it was: a subject, a template, a reason, a title. */
function detailOf(line: Record<string, unknown>): string {
  for (const key of ['subject', 'template', 'reason', 'title', 'playbook'])
    if (typeof line[key] === 'string') return line[key];
  return '';
}

/**
 * The diagram with the journeys at each step now, and per step the funnel: reached → sent → clicked or
 * replied → goal. A live region: it refreshes in place while the page is open.
 */
function stepsNow(
  definition: PlaybookDefinition,
  version: number,
  active: Awaited<ReturnType<typeof activeJourneysByStep>>,
  funnel: Map<string, StepFunnel>,
) {
  const counts = new Map<string, number>();
  for (const row of active.filter((r) => r.version === version && r.step))
    counts.set(row.step!, (counts.get(row.step!) ?? 0) + row.journeys);
  const steps = stepList(definition.steps);
  const earlier = active.filter((r) => r.version !== version);
  return html`<div class="diagram-wrap">${playbookDiagram(definition, counts)}</div>
    <table aria-labelledby="steps">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Does</th>
          <th scope="col">Journeys here now</th>
          <th scope="col">Reached</th>
          <th scope="col">Sent</th>
          <th scope="col">Clicked or replied</th>
          <th scope="col">Went on to the goal</th>
        </tr>
      </thead>
      <tbody>
        ${steps.map((s) => {
          const f = funnel.get(s.name);
          const reached = f?.reached ?? 0;
          return html`<tr>
            <td><code class="depth-${Math.min(s.depth, 4)}">${s.name}</code></td>
            <td>${s.label} ${s.detail}</td>
            <td>${counts.get(s.name) ?? 0}</td>
            <td>${reached}</td>
            <td>${s.label === 'send' ? html`${f?.sent ?? 0} (${percent(f?.sent ?? 0, reached)})` : '—'}</td>
            <td>
              ${s.label === 'send' ? html`${f?.engaged ?? 0} (${percent(f?.engaged ?? 0, f?.sent ?? 0)})` : '—'}
            </td>
            <td>${definition.goal ? html`${f?.goal ?? 0} (${percent(f?.goal ?? 0, reached)})` : '—'}</td>
          </tr>`;
        })}
      </tbody>
    </table>
    ${
      earlier.length
        ? html`<p class="muted">
            Journeys on earlier versions:
            ${earlier.map((r) => html`v${r.version} at <code>${r.step ?? '—'}</code> ${r.journeys}; `)}
          </p>`
        : ''
    }`;
}

async function playbookPage(
  c: Context,
  deps: ApiDeps,
  id: string,
  validation?: { text: string; result: Awaited<ReturnType<typeof validatePlaybookText>> },
  simulation?: Simulated,
) {
  const versions = await playbookVersions(deps.sql, id);
  const latest = versions.at(-1);
  if (!latest) return messagePage(c, 404, 'Not found', `There is no playbook ${id}.`);
  const active = await activeJourneysByStep(deps.sql, id);
  const session = sessionIn(c);
  const region = await liveRegion(
    'steps-live',
    stepsNow(latest.definition, latest.version, active, await stepFunnel(deps.sql, id)),
  );
  if (c.req.method === 'GET') {
    const fragment = fragmentAnswer(c, region);
    if (fragment) return fragment;
  }
  return render(c, (validation && !validation.result.valid) || simulation?.error ? 422 : 200, {
    title: `${latest.definition.title ?? id}`,
    session,
    section: '/playbooks',
    body: html`
      <p>
        <code>${id}</code> · stage <strong>${latest.stage}</strong> · version ${latest.version} · enrolls on
        ${latest.definition.enroll.on.join(', ') || 'another playbook’s enroll step'}
        ${latest.definition.goal ? html` · goal <code>${latest.definition.goal}</code>` : ''}
      </p>
      <h2 id="steps">Steps: the journeys at each now, and the funnel</h2>
      ${region.element}

      <h2 id="versions">Versions</h2>
      <table aria-labelledby="versions">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Published</th>
            <th scope="col">File</th>
          </tr>
        </thead>
        <tbody>
          ${versions
            .slice()
            .reverse()
            .map(
              (v) =>
                html`<tr>
                  <td>${v.version}</td>
                  <td>${when(v.published_at)}</td>
                  <td>${v.source_file ?? '—'}</td>
                </tr>`,
            )}
        </tbody>
      </table>

      <h2 id="validate">Validate a change</h2>
      <form method="post" action="/playbooks/${id}/validate">
        ${csrfField(session)}
        <label for="yaml">Playbook YAML</label>
        <textarea id="yaml" name="yaml" rows="12" required>${validation?.text ?? ''}</textarea>
        <p><button type="submit">Validate</button></p>
      </form>
      ${
        validation
          ? validation.result.valid
            ? html`<p role="status" class="ok">Valid: ${validation.result.steps ?? 0} steps.</p>`
            : html`<div role="alert">
                <p class="bad">
                  ${validation.result.errors.length} error${validation.result.errors.length === 1 ? '' : 's'}:
                </p>
                <ul>
                  ${validation.result.errors.map(
                    (e) => html`<li><code>${e.file}:${e.line}:${e.column}</code> ${e.text}</li>`,
                  )}
                </ul>
              </div>`
          : ''
      }
      ${simulationPanel(id, session, simulation)}
    `,
  });
}

export const playbookPageOperations = [
  operation({
    method: 'get',
    path: '/playbooks',
    console: true,
    summary: 'Playbooks: stage, version, running journeys, goal conversion',
    access: { session: 'playbooks:read' },
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: async (c, _request, deps) => {
      const [summaries, goals] = await Promise.all([
        listPlaybookSummaries(deps.sql),
        goalConversions(deps.sql),
      ]);
      return render(c, 200, {
        title: 'Playbooks',
        session: sessionIn(c),
        section: '/playbooks',
        body: html`<table>
          <thead>
            <tr>
              <th scope="col">Playbook</th>
              <th scope="col">Stage</th>
              <th scope="col">Version</th>
              <th scope="col">Running</th>
              <th scope="col">Ended</th>
              <th scope="col">Goal reached</th>
            </tr>
          </thead>
          <tbody>
            ${summaries.map((p) => {
              const running = Object.entries(p.journeys)
                .filter(([status]) => !ENDED.includes(status))
                .reduce((n, [, k]) => n + k, 0);
              const all = Object.values(p.journeys).reduce((n, k) => n + k, 0);
              const goal = goals.get(p.playbook) ?? 0;
              return html`<tr>
                <td>
                  <a href="/playbooks/${p.playbook}">${p.title ?? p.playbook}</a> <code>${p.playbook}</code>
                </td>
                <td>${p.stage}</td>
                <td>${p.version}</td>
                <td>${running}</td>
                <td>${all - running}</td>
                <td>${goal} (${percent(goal, all)})</td>
              </tr>`;
            })}
          </tbody>
        </table>`,
      });
    },
  }),
  operation({
    method: 'get',
    path: '/playbooks/{id}',
    console: true,
    summary: 'A playbook: its diagram with the journeys at each step, its per-step funnel, its versions',
    access: { session: 'playbooks:read' },
    params: PLAYBOOK_ID,
    query: { fragment: { description: 'Only this live region of the page', schema: { type: 'string' } } },
    answers: {
      200: { description: 'The page', mediaType: 'text/html' },
      304: { description: 'The live region has not changed' },
      404: { description: 'No such playbook', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such playbook.'),
    handle: (c, { params }, deps) => playbookPage(c, deps, params.id!),
  }),
  operation<Record<string, unknown>, { yaml: string }>({
    method: 'post',
    path: '/playbooks/{id}/validate',
    console: true,
    summary: 'Validates pasted YAML: the page again, with every error and its line and column',
    access: { session: 'playbooks:read' },
    params: PLAYBOOK_ID,
    body: {
      form: {
        type: 'object',
        properties: { yaml: { type: 'string', maxLength: 200_000 }, _csrf: { type: 'string' } },
        required: ['yaml'],
      },
    },
    answers: {
      200: { description: 'Valid', mediaType: 'text/html' },
      404: { description: 'No such playbook', mediaType: 'text/html' },
      422: { description: 'The errors', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such playbook.'),
    handle: async (c, { params, body }, deps) => {
      const result = await validatePlaybookText(deps, body.yaml, `${params.id!}.yaml`);
      return playbookPage(c, deps, params.id!, { text: body.yaml, result });
    },
  }),
  operation<Record<string, unknown>, { candidate: string; days?: string }>({
    method: 'post',
    path: '/playbooks/{id}/simulate',
    console: true,
    summary:
      'Runs a sample candidate through the playbook on a virtual clock: the page again, with the timeline',
    access: { session: 'playbooks:read' },
    params: PLAYBOOK_ID,
    body: {
      form: {
        type: 'object',
        properties: {
          candidate: { type: 'string', maxLength: 20_000 },
          days: { type: 'string', maxLength: 4 },
          _csrf: { type: 'string' },
        },
        required: ['candidate'],
      },
    },
    answers: {
      200: { description: 'The timeline', mediaType: 'text/html' },
      404: { description: 'No such playbook', mediaType: 'text/html' },
      422: { description: 'The sample is not a candidate', mediaType: 'text/html' },
    },
    notFound: (c) => messagePage(c, 404, 'Not found', 'There is no such playbook.'),
    handle: async (c, { params, body }, deps) => {
      const days = Math.min(3650, Math.max(1, Number.parseInt(body.days ?? '365', 10) || 365));
      const sim: Simulated = { candidate: body.candidate, days };
      let candidate: unknown;
      try {
        candidate = JSON.parse(body.candidate);
      } catch (error) {
        sim.error = `The sample candidate is not JSON: ${(error as Error).message}`;
      }
      const checked = sim.error
        ? undefined
        : validate<{ candidate: Record<string, unknown>; days: number }>('simulation.schema.json', {
            candidate,
            days,
          });
      if (checked && !checked.ok)
        sim.error = checked.errors.map((e) => `${e.pointer} ${e.message}`).join('; ');
      const latest = (await playbookVersions(deps.sql, params.id!)).at(-1);
      if (latest && checked?.ok) sim.lines = simulatePlaybook(deps, latest.definition, checked.value);
      return playbookPage(c, deps, params.id!, undefined, sim);
    },
  }),
];
