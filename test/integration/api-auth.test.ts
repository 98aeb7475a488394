// Every operation that is not public needs an API key with its scope: a table of every such operation ×
// no key, a malformed key, an unknown key, a revoked key and a key without the scope; default deny for
// routes that declare no scope; and the `rapport keys` command.
import type { Context } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { operation, type Operation } from '../../src/http/operation.js';
import { OPERATIONS } from '../../src/http/operations.js';
import type { Scope } from '../../src/http/scopes.js';
import { createLogger } from '../../src/log.js';
import { ALL_SCOPES } from '../../src/http/scopes.js';
import { createApiKey, revokeApiKey } from '../../src/db/api-keys.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
const keys: Record<string, string> = {};
beforeAll(async () => {
  stack = await startStack();
  for (const scope of ALL_SCOPES)
    keys[scope] = (await createApiKey(stack.db.sql, { name: scope, scopes: [scope] })).key;
  const revoked = await createApiKey(stack.db.sql, { name: 'revoked', scopes: ['*'] });
  await revokeApiKey(stack.db.sql, revoked.prefix);
  keys.revoked = revoked.key;
  keys.admin = (await createApiKey(stack.db.sql, { name: 'admin', scopes: ['*'] })).key;
});
afterAll(async () => {
  await stack?.stop();
});

/** The app with one option changed from the test stack's. */
const appWith = (options: { rateLimit?: number; keyCacheMs?: number; operations?: Operation[] }) =>
  createApp({
    sql: stack.db.sql,
    temporal: stack.client,
    taskQueue: stack.taskQueue,
    log: createLogger('silent'),
    sources: new Map(),
    links: stack.deps.links!.signer,
    ...options,
  });

/** Every operation that needs a key, with its scope. */
const ROUTE_SCOPES = OPERATIONS.filter((op) => 'scope' in op.access).map((op) => ({
  method: op.method.toUpperCase(),
  path: op.path,
  scope: (op.access as { scope: Scope }).scope,
}));

const call = (route: (typeof ROUTE_SCOPES)[number], authorization?: string) =>
  stack.rawApp.request(route.path.replace(/\{\w+\}/g, '00000000-0000-0000-0000-000000000000'), {
    method: route.method,
    headers: {
      'content-type': 'application/json',
      ...(authorization ? { authorization } : {}),
    },
    ...(route.method === 'POST' || route.method === 'PATCH' ? { body: '{}' } : {}),
  });

describe('API keys', () => {
  it('are needed by every /v1 operation but the signed source webhook', () => {
    const open = OPERATIONS.filter((op) => op.path.startsWith('/v1/') && 'public' in op.access);
    expect(open.map((op) => `${op.method} ${op.path}`)).toEqual(['post /v1/sources/{source}/webhook']);
  });

  it('are asked for by default: a route registered without a scope is never served', async () => {
    const unscoped = operation({
      method: 'get',
      path: '/v1/forgotten',
      summary: 'An operation whose author forgot its access',
      answers: { 200: { description: 'Should never be seen' } },
      handle: (c: Context) => c.json({ leaked: true }),
    } as unknown as Operation);
    const app = appWith({ keyCacheMs: 0, operations: [...OPERATIONS, unscoped] });
    // A route added to the app by hand, outside the operations, is denied too.
    app.get('/v1/by-hand', (c) => c.json({ leaked: true }));
    app.get('/elsewhere', (c) => c.json({ leaked: true }));
    for (const path of ['/v1/forgotten', '/v1/by-hand', '/elsewhere']) {
      const anonymous = await app.request(path);
      expect(anonymous.status, path).toBe(401);
      const admin = await app.request(path, { headers: { authorization: `Bearer ${keys.admin}` } });
      expect(admin.status, path).toBe(403);
      expect(await admin.text()).not.toContain('leaked');
    }
  });

  describe.each(ROUTE_SCOPES)('$method $path (scope $scope)', (route) => {
    it.each([
      ['no key', undefined, ''],
      ['a malformed key', 'Bearer not-a-key', ', error="invalid_token"'],
      ['a header that is not a bearer token', 'Basic dXNlcjpwYXNz', ', error="invalid_request"'],
      ['an unknown key', `Bearer rk_000000000000_${'A'.repeat(43)}`, ', error="invalid_token"'],
      ['a revoked key', 'revoked', ', error="invalid_token"'],
    ])('answers 401 problem+json to %s', async (_name, presented, challenge) => {
      const res = await call(route, presented === 'revoked' ? `Bearer ${keys.revoked}` : presented);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="rapport"${challenge}`);
      expect(res.headers.get('x-request-id')).toBeTruthy();
    });

    it('answers 403 to a key without the scope, and lets the right scope through', async () => {
      const other = ALL_SCOPES.find((s) => s !== route.scope)!;
      const refused = await call(route, `Bearer ${keys[other]}`);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { detail: string }).detail).toContain(route.scope);
      const allowed = await call(route, `Bearer ${keys[route.scope]}`);
      expect([401, 403]).not.toContain(allowed.status);
    });
  });

  it('limits each key to its rate: 429 with Retry-After, other keys unaffected', async () => {
    const limited = appWith({ rateLimit: 1 });
    const get = (key: string) =>
      limited.request('/v1/candidates/00000000-0000-0000-0000-000000000000', {
        headers: { authorization: `Bearer ${key}` },
      });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await get(keys['candidates:read']!)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    const over = await get(keys['candidates:read']!);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(over.headers.get('content-type')).toBe('application/problem+json');
    const other = await createApiKey(stack.db.sql, { name: 'other', scopes: ['*'] });
    expect((await get(other.key)).status).toBe(404);
  });

  it('gives every request an id, echoing a sane one the caller sent', async () => {
    const echoed = await stack.rawApp.request('/healthz', { headers: { 'x-request-id': 'ats-42_retry-1' } });
    expect(echoed.headers.get('x-request-id')).toBe('ats-42_retry-1');
    const replaced = await stack.rawApp.request('/healthz', { headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('are described in an OpenAPI 3.1 document naming every route, its scope and its body schema', async () => {
    const doc = (await (await stack.rawApp.request('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { security: { apiKey?: string[] }[]; requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    // The console's pages are served too, and documented by themselves, not in the API's document.
    const consolePaths = new Set(
      OPERATIONS.filter((o) => o.console).map((o) => `${o.method.toUpperCase()} ${o.path}`),
    );
    const served = stack.rawApp.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect([...new Set(served)].filter((r) => !consolePaths.has(r)).sort()).toEqual(documented.sort());
    expect(consolePaths.size).toBeGreaterThan(0);
    for (const route of ROUTE_SCOPES) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]![route.method.toLowerCase()]!;
      expect(op.security).toEqual([{ apiKey: [route.scope] }]);
    }
    for (const ref of JSON.stringify(doc).matchAll(/"#\/components\/schemas\/([\w-]+)"/g))
      expect(doc.components.schemas[ref[1]!]).toBeDefined();
    const page = await (await stack.rawApp.request('/docs')).text();
    for (const path of Object.keys(doc.paths)) expect(page).toContain(path);
  });

  it('leaves the health checks open', async () => {
    expect((await stack.rawApp.request('/healthz')).status).toBe(200);
  });

  it('are remembered for a few seconds once verified, so a revoked key stops within that time', async () => {
    const cached = appWith({ keyCacheMs: 60_000 });
    const { key, prefix } = await createApiKey(stack.db.sql, { name: 'cached', scopes: ['candidates:read'] });
    const get = (app: ReturnType<typeof createApp>) =>
      app.request('/v1/candidates?limit=1', { headers: { authorization: `Bearer ${key}` } });
    expect((await get(cached)).status).toBe(200);
    await revokeApiKey(stack.db.sql, prefix);
    expect((await get(cached)).status).toBe(200);
    expect((await get(stack.rawApp)).status).toBe(401);
  });

  it('are created, listed and revoked with `rapport keys`, the secret shown once', async () => {
    const env = cleanEnv({ DATABASE_URL: stack.db.url });
    const created = await runCli(['keys', 'create', '--name', 'ats', '--scopes', 'events:write'], env);
    expect(created.code).toBe(0);
    const key = /API key .*: (rk_\S+)/.exec(created.output)?.[1];
    expect(key).toBeDefined();
    const post = (k: string) =>
      stack.rawApp.request('/v1/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${k}` },
        body: JSON.stringify({ type: 'candidate.sourced', candidate: { email: 'keyed@example.com' } }),
      });
    expect((await post(key!)).status).toBe(202);
    const listed = await runCli(['keys', 'list'], env);
    expect(listed.output).toContain('ats  events:write  active');
    expect(listed.output).not.toContain(key!);
    const prefix = key!.split('_')[1]!;
    expect((await runCli(['keys', 'revoke', prefix], env)).code).toBe(0);
    expect((await post(key!)).status).toBe(401);
    const bad = await runCli(['keys', 'create', '--name', 'x', '--scopes', 'everything'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('unknown scope everything');
  });
});
