// Playbooks: list the published ones with their journeys counted (GET /v1/playbooks), read one with its
// versions and where its running journeys are (GET /{id}), validate a YAML text as `rapport validate`
// would (POST /validate) and simulate a published one as `rapport simulate` would (POST /{id}/simulate).
import { Hono, type Context } from 'hono';
import { createExpressions } from '../expressions/liquid.js';
import type { PlaybookDefinition } from '../interpreter/index.js';
import { parsePlaybook, PlaybookErrors, type PlaybookError } from '../playbook/load.js';
import {
  activeJourneysByStep,
  latestPlaybooks,
  listPlaybookSummaries,
  playbookVersions,
} from '../db/playbook-versions.js';
import { simulate, type SimulatedEvent } from '../simulate/simulate.js';
import { jsonBody } from './body.js';
import type { ApiDeps } from './deps.js';
import { queryProblem } from './paging.js';
import { Problem } from './problem.js';

const YAML_TYPES = /^(application\/(x-)?yaml|text\/(x-)?yaml|text\/plain)\b/i;

interface SimulationRequest {
  candidate: Record<string, unknown>;
  events?: SimulatedEvent[];
  start?: string;
  days?: number;
  version?: number;
}

export function playbooksRoutes(deps: ApiDeps) {
  const expressions = createExpressions();
  const versionsOf = async (c: Context) => {
    const id = c.req.param('id') ?? '';
    const versions = await playbookVersions(deps.sql, id);
    if (!versions.length) throw Problem.notFound(`Playbook ${id}`);
    return versions;
  };
  const app = new Hono();
  app.get('/', async (c) => c.json({ items: await listPlaybookSummaries(deps.sql) }));
  app.post('/validate', async (c) => {
    if (!YAML_TYPES.test(c.req.header('content-type') ?? ''))
      throw new Problem(415, 'Unsupported media type', 'Send the playbook as application/yaml.');
    const text = await c.req.text();
    const file =
      c.req.query('file') ?? `${/^playbook:\s*['"]?([a-z0-9-]+)/m.exec(text)?.[1] ?? 'playbook'}.yaml`;
    if (!/^[a-z0-9][a-z0-9-]{0,62}\.ya?ml$/.test(file))
      throw queryProblem('file', 'must be a playbook file name such as nurture.yaml');
    const published = await latestPlaybooks(deps.sql);
    const own = file.replace(/\.ya?ml$/, '');
    let errors: PlaybookError[] = [];
    let definition: PlaybookDefinition | undefined;
    try {
      definition = parsePlaybook(file, text, {
        hasTemplate: (id) => deps.templates?.has(id) ?? true,
        hasPlaybook: (id) => id === own || published.has(id),
      });
    } catch (error) {
      if (!(error instanceof PlaybookErrors)) throw error;
      errors = error.errors;
    }
    return c.json({
      valid: errors.length === 0,
      ...(definition ? { playbook: definition.playbook, steps: definition.steps.length } : {}),
      errors: errors.map((e) => ({ ...e.toJSON(), text: e.message })),
    });
  });
  app.get('/:id', async (c) => {
    const versions = await versionsOf(c);
    const wanted = c.req.query('version');
    const chosen =
      wanted === undefined ? versions.at(-1) : versions.find((v) => String(v.version) === wanted);
    if (!chosen) throw queryProblem('version', `must be one of ${versions.map((v) => v.version).join(', ')}`);
    const steps = await activeJourneysByStep(deps.sql, chosen.definition.playbook);
    return c.json({
      playbook: chosen.definition.playbook,
      version: chosen.version,
      stage: chosen.stage,
      definition: chosen.definition,
      versions: versions.map(({ definition: _, ...v }) => v),
      steps,
    });
  });
  app.post('/:id/simulate', async (c) => {
    const body = await jsonBody<SimulationRequest>(c, 'simulation.schema.json');
    const versions = await versionsOf(c);
    const chosen =
      body.version === undefined ? versions.at(-1) : versions.find((v) => v.version === body.version);
    if (!chosen)
      throw Problem.validation([
        { pointer: '/version', message: `must be one of ${versions.map((v) => v.version).join(', ')}` },
      ]);
    const templates = deps.templates;
    const timeline = simulate({
      definition: chosen.definition,
      candidate: body.candidate,
      events: (body.events ?? []).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      start: new Date(body.start ?? Date.now()).toISOString(),
      days: body.days ?? 365,
      expressions,
      ...(templates
        ? {
            subjectOf: (t: string, scope: Record<string, unknown>) => templates.subject(t, scope),
            channels: templates.channels(),
          }
        : {}),
      org: { name: deps.orgName ?? 'Rapport' },
    });
    return c.json({ playbook: chosen.definition.playbook, version: chosen.version, timeline });
  });
  return app;
}
