// Playbooks: list the published ones with their journeys counted (GET /v1/playbooks), read one with its
// versions and where its running journeys are (GET /{id}), validate a YAML text as `rapport validate`
// would (POST /validate) and simulate a published one as `rapport simulate` would (POST /{id}/simulate).
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
import { operation } from './operation.js';
import type { ApiDeps } from './deps.js';
import { Problem } from './problem.js';

interface SimulationRequest {
  candidate: Record<string, unknown>;
  events?: SimulatedEvent[];
  start?: string;
  days?: number;
  version?: number;
}

const expressions = createExpressions();
const PLAYBOOK_ID = {
  id: {
    description: 'Playbook (its id)',
    schema: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 },
  },
};

function noVersion(id: string, version: number, versions: { version: number }[]): Problem {
  const published = versions.map((v) => v.version).join(', ');
  return new Problem(404, 'Not found', `Playbook ${id} has no version ${version} (published: ${published}).`);
}

async function versionsOf(deps: ApiDeps, id: string) {
  const versions = await playbookVersions(deps.sql, id);
  if (!versions.length) throw Problem.notFound(`Playbook ${id}`);
  return versions;
}

export const playbookOperations = [
  operation({
    method: 'get',
    path: '/v1/playbooks',
    summary: 'Published playbooks at their latest version, with journeys counted by status',
    access: { scope: 'playbooks:read' },
    answers: { 200: { description: '{ items }' } },
    handle: async (c, _request, deps) => c.json({ items: await listPlaybookSummaries(deps.sql) }),
  }),
  operation<{ file?: string }, string>({
    method: 'post',
    path: '/v1/playbooks/validate',
    summary: 'Validate a playbook (YAML body): every error with line, column and pointer',
    access: { scope: 'playbooks:read' },
    query: {
      file: {
        description: 'File name the errors name (default: <playbook id>.yaml)',
        schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}\\.ya?ml$', examples: ['nurture.yaml'] },
      },
    },
    body: {
      text: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'],
      description: 'The playbook file, as YAML',
    },
    answers: { 200: { description: '{ valid, errors }', schema: 'playbook-validation.schema.json' } },
    async handle(c, { query, body: text }, deps) {
      return c.json(await validatePlaybookText(deps, text, query.file));
    },
  }),
  operation<{ version?: number }>({
    method: 'get',
    path: '/v1/playbooks/{id}',
    summary: 'A playbook: definition, versions, and its running journeys counted by version and step',
    access: { scope: 'playbooks:read' },
    params: PLAYBOOK_ID,
    query: {
      version: {
        description: 'A published version (default: the latest)',
        schema: { type: 'integer', minimum: 1 },
      },
    },
    answers: {
      200: { description: 'The playbook' },
      404: { description: 'Unknown playbook, or no such version of it (the published ones are named)' },
    },
    async handle(c, { params, query }, deps) {
      const versions = await versionsOf(deps, params.id!);
      const chosen =
        query.version === undefined ? versions.at(-1) : versions.find((v) => v.version === query.version);
      if (!chosen) throw noVersion(params.id!, query.version!, versions);
      const steps = await activeJourneysByStep(deps.sql, chosen.definition.playbook);
      return c.json({
        playbook: chosen.definition.playbook,
        version: chosen.version,
        stage: chosen.stage,
        definition: chosen.definition,
        versions: versions.map(({ definition: _, ...v }) => v),
        steps,
      });
    },
  }),
  operation<object, SimulationRequest>({
    method: 'post',
    path: '/v1/playbooks/{id}/simulate',
    summary: 'Simulate a published playbook on a virtual clock, as rapport simulate does',
    access: { scope: 'playbooks:read' },
    params: PLAYBOOK_ID,
    body: { json: 'simulation.schema.json' },
    answers: {
      200: { description: '{ playbook, version, timeline }' },
      404: { description: 'Unknown playbook, or no such version of it (the published ones are named)' },
    },
    async handle(c, { params, body }, deps) {
      const versions = await versionsOf(deps, params.id!);
      const chosen =
        body.version === undefined ? versions.at(-1) : versions.find((v) => v.version === body.version);
      if (!chosen) throw noVersion(params.id!, body.version!, versions);
      const timeline = simulatePlaybook(deps, chosen.definition, body);
      return c.json({ playbook: chosen.definition.playbook, version: chosen.version, timeline });
    },
  }),
];

/** Validates a playbook's YAML against the published playbooks and the templates (the API and the console). */
export async function validatePlaybookText(deps: ApiDeps, text: string, file?: string) {
  const name = file ?? `${/^playbook:\s*['"]?([a-z0-9-]+)/m.exec(text)?.[1] ?? 'playbook'}.yaml`;
  const published = await latestPlaybooks(deps.sql);
  const own = name.replace(/\.ya?ml$/, '');
  let errors: PlaybookError[] = [];
  let definition: PlaybookDefinition | undefined;
  try {
    definition = parsePlaybook(name, text, {
      hasTemplate: (id) => deps.templates?.has(id) ?? true,
      hasPlaybook: (id) => id === own || published.has(id),
    });
  } catch (error) {
    if (!(error instanceof PlaybookErrors)) throw error;
    errors = error.errors;
  }
  return {
    valid: errors.length === 0,
    ...(definition ? { playbook: definition.playbook, steps: definition.steps.length } : {}),
    errors: errors.map((e) => ({ ...e.toJSON(), text: e.message })),
  };
}

/**
 * A published playbook on a virtual clock (the API's simulate and the console's simulation panel): the
 * same interpreter as production, the templates' subjects and channels, no Temporal, no database.
 */
export function simulatePlaybook(
  deps: ApiDeps,
  definition: PlaybookDefinition,
  request: Omit<SimulationRequest, 'version'>,
) {
  const templates = deps.templates;
  return simulate({
    definition,
    candidate: request.candidate,
    events: (request.events ?? []).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    start: new Date(request.start ?? Date.now()).toISOString(),
    days: request.days ?? 365,
    expressions,
    ...(templates
      ? {
          subjectOf: (t: string, scope: Record<string, unknown>) => templates.subject(t, scope),
          channels: templates.channels(),
        }
      : {}),
    org: deps.org ?? { name: 'Rapport' },
    ...(deps.policy ? { policy: deps.policy } : {}),
  });
}
