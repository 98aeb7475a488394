// Talent pools: list, create (static or smart), read, delete, preview (a saved pool, or a filter before it
// is saved: the count and a sample, nothing sent), and a static pool's members (by id or email, or a CSV
// import). A pool defined in pipelines/pools/ is changed in its file, not here (409).
import { latestPlaybooks } from '../db/playbook-versions.js';
import { filterProblems, type PoolFilter } from '../db/pool-filter.js';
import {
  addMembers,
  createPool,
  deletePool,
  getPool,
  listPools,
  previewPool,
  removeMember,
  type PoolInput,
  type PoolRow,
} from '../db/pools.js';
import type { Context } from 'hono';
import type { AuthEnv } from './auth.js';
import type { ApiDeps } from './deps.js';
import { grants } from './scopes.js';
import { operation, UUID_PARAM, type Parameter } from './operation.js';
import { Problem } from './problem.js';
import { csvCandidates } from './member-csv.js';

/**
 * How many members a preview shows: a sample names candidates, so it needs `candidates:read` besides
 * `pools:read` (counts alone do not).
 */
function sampleSize(c: Context, asked: number | undefined): number {
  const key = (c as unknown as Context<AuthEnv>).get('apiKey');
  return key && grants(key.scopes, 'candidates:read') ? (asked ?? 10) : 0;
}

/** A pool by name or id. */
const POOL: Record<string, Parameter> = {
  id: {
    description: 'The pool’s name or id',
    schema: {
      type: 'string',
      pattern: '^([a-z0-9]+(-[a-z0-9]+)*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
      maxLength: 100,
    },
  },
};
const SAMPLE = {
  sample: {
    description: 'How many members to show',
    schema: { type: 'integer', minimum: 0, maximum: 100, default: 10 },
  },
};

async function poolOf(deps: ApiDeps, id: string): Promise<PoolRow> {
  const pool = await getPool(deps.sql, id);
  if (!pool) throw Problem.notFound(`Pool ${id}`);
  return pool;
}

/** A pool defined by a file is changed there. */
function editable(pool: PoolRow): PoolRow {
  if (pool.source_file)
    throw new Problem(
      409,
      'Conflict',
      `Pool ${pool.name} is defined in ${pool.source_file}; change it there.`,
    );
  return pool;
}

function staticPool(pool: PoolRow): PoolRow {
  if (pool.kind !== 'static')
    throw new Problem(409, 'Conflict', `Pool ${pool.name} is a smart pool: its filter decides who is in it.`);
  return editable(pool);
}

/** A filter's meaning problems as problem+json naming each field: 404 for unknown playbooks, 422 else. */
async function checkFilter(deps: ApiDeps, filter: PoolFilter | undefined, base: string): Promise<void> {
  if (!filter) return;
  const published = await latestPlaybooks(deps.sql);
  const { missing, invalid } = filterProblems(filter, (id) => published.has(id), base);
  if (invalid.length) throw Problem.validation([...invalid, ...missing]);
  if (missing.length) throw Problem.missing(missing);
}

export const poolOperations = [
  operation({
    method: 'get',
    path: '/v1/pools',
    summary: 'Talent pools, by name',
    access: { scope: 'pools:read' },
    answers: { 200: { description: '{ items }', schema: 'pool-list.schema.json' } },
    async handle(c, _request, deps) {
      return c.json({ items: await listPools(deps.sql) });
    },
  }),
  operation<object, PoolInput>({
    method: 'post',
    path: '/v1/pools',
    summary: 'Create a talent pool: static (members added later) or smart (a filter)',
    access: { scope: 'pools:write' },
    body: { json: 'pool-input.schema.json' },
    answers: {
      201: {
        description: 'Created',
        schema: 'pool.schema.json',
        links: {
          read: { to: 'get /v1/pools/{id}', with: { id: '$response.body#/id' } },
          preview: { to: 'get /v1/pools/{id}/preview', with: { id: '$response.body#/id' } },
        },
      },
      404: { description: 'The filter names a playbook that is not published (the field is named)' },
      409: { description: 'A pool of that name exists' },
    },
    async handle(c, { body }, deps) {
      await checkFilter(deps, body.filter, '/filter');
      const pool = await createPool(deps.sql, body);
      if (!pool) throw new Problem(409, 'Conflict', `A pool named ${body.name} exists.`);
      return c.json(pool, 201);
    },
  }),
  operation<object, { filter: PoolFilter; sample?: number }>({
    method: 'post',
    path: '/v1/pools/preview',
    summary:
      'Preview a filter before saving it: how many candidates, how many contactable, a sample (with candidates:read)',
    access: { scope: 'pools:read' },
    body: { json: 'pool-preview-input.schema.json' },
    answers: {
      200: { description: 'The preview', schema: 'pool-preview.schema.json' },
      404: { description: 'The filter names a playbook that is not published (the field is named)' },
    },
    async handle(c, { body }, deps) {
      await checkFilter(deps, body.filter, '/filter');
      return c.json(await previewPool(deps.sql, { filter: body.filter }, sampleSize(c, body.sample)));
    },
  }),
  operation({
    method: 'get',
    path: '/v1/pools/{id}',
    summary: 'A talent pool',
    access: { scope: 'pools:read' },
    params: POOL,
    answers: {
      200: { description: 'The pool', schema: 'pool.schema.json' },
      404: { description: 'Unknown pool' },
    },
    async handle(c, { params }, deps) {
      return c.json(await poolOf(deps, params.id!));
    },
  }),
  operation({
    method: 'delete',
    path: '/v1/pools/{id}',
    summary: 'Delete a talent pool (campaigns that took it keep their members)',
    access: { scope: 'pools:write' },
    params: POOL,
    answers: {
      204: { description: 'Deleted' },
      404: { description: 'Unknown pool' },
      409: { description: 'Defined in pipelines/pools/: delete the file instead' },
    },
    async handle(c, { params }, deps) {
      await deletePool(deps.sql, editable(await poolOf(deps, params.id!)).id);
      return c.body(null, 204);
    },
  }),
  operation<{ sample?: number }>({
    method: 'get',
    path: '/v1/pools/{id}/preview',
    summary:
      'How many candidates a pool holds now, how many are contactable, and a sample (with candidates:read)',
    access: { scope: 'pools:read' },
    params: POOL,
    query: SAMPLE,
    answers: {
      200: { description: 'The preview', schema: 'pool-preview.schema.json' },
      404: { description: 'Unknown pool' },
    },
    async handle(c, { params, query }, deps) {
      return c.json(await previewPool(deps.sql, await poolOf(deps, params.id!), sampleSize(c, query.sample)));
    },
  }),
  operation<object, { candidate_ids?: string[]; emails?: string[] }>({
    method: 'post',
    path: '/v1/pools/{id}/members',
    summary: 'Add candidates to a static pool, by id or email',
    access: { scope: 'pools:write' },
    params: POOL,
    body: { json: 'pool-members-input.schema.json' },
    answers: {
      200: { description: 'Who was added', schema: 'pool-members-added.schema.json' },
      404: { description: 'Unknown pool' },
      409: { description: 'A smart pool, or one defined in pipelines/pools/' },
    },
    async handle(c, { params, body }, deps) {
      const pool = staticPool(await poolOf(deps, params.id!));
      return c.json(
        await addMembers(deps.sql, pool.id, {
          ...(body.candidate_ids ? { candidateIds: body.candidate_ids } : {}),
          ...(body.emails ? { emails: body.emails } : {}),
        }),
      );
    },
  }),
  operation<object, string>({
    method: 'post',
    path: '/v1/pools/{id}/import',
    summary: 'Import a static pool’s members from CSV (an `email` or `id` column, or one per line)',
    access: { scope: 'pools:write' },
    params: POOL,
    body: {
      text: ['text/csv'],
      description:
        'CSV with a header row naming an `email` or an `id` column; without one, an id or an email per line',
    },
    answers: {
      200: {
        description: 'Who was added; rows naming nobody are listed as `line N`',
        schema: 'pool-members-added.schema.json',
      },
      404: { description: 'Unknown pool' },
      409: { description: 'A smart pool, or one defined in pipelines/pools/' },
    },
    async handle(c, { params, body }, deps) {
      const pool = staticPool(await poolOf(deps, params.id!));
      const { candidateIds, emails, unknownLines } = csvCandidates(body);
      const result = await addMembers(deps.sql, pool.id, { candidateIds, emails });
      return c.json({ ...result, unknown: unknownLines(result.unknown) });
    },
  }),
  operation({
    method: 'delete',
    path: '/v1/pools/{id}/members/{candidate_id}',
    summary: 'Remove a candidate from a static pool',
    access: { scope: 'pools:write' },
    params: { ...POOL, candidate_id: { ...UUID_PARAM, description: 'Candidate (UUID)' } },
    answers: {
      204: { description: 'Removed' },
      404: { description: 'Unknown pool, or not a member' },
      409: { description: 'A smart pool, or one defined in pipelines/pools/' },
    },
    async handle(c, { params }, deps) {
      const pool = staticPool(await poolOf(deps, params.id!));
      if (!(await removeMember(deps.sql, pool.id, params.candidate_id!)))
        throw Problem.notFound(`Member ${params.candidate_id} of pool ${pool.name}`);
      return c.body(null, 204);
    },
  }),
];
