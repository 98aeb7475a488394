// Every /v1 route needs an API key with its scope: a table of every route × no key, a malformed key, an
// unknown key, a revoked key and a key without the scope; and the `rapport keys` command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_V1_ROUTES, ROUTE_SCOPES } from '../../src/api/app.js';
import { ALL_SCOPES } from '../../src/api/scopes.js';
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
});
afterAll(async () => {
  await stack?.stop();
});

const call = (route: (typeof ROUTE_SCOPES)[number], authorization?: string) =>
  stack.rawApp.request(route.path.replace(':id', '00000000-0000-0000-0000-000000000000'), {
    method: route.method,
    headers: {
      'content-type': 'application/json',
      ...(authorization ? { authorization } : {}),
    },
    ...(route.method === 'POST' ? { body: '{}' } : {}),
  });

describe('API keys', () => {
  it('cover every /v1 route of the app', () => {
    const served = new Set(
      stack.rawApp.routes
        .filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path}`)
        .filter((r) => !PUBLIC_V1_ROUTES.includes(r)),
    );
    expect([...served].sort()).toEqual(ROUTE_SCOPES.map((r) => `${r.method} ${r.path}`).sort());
  });

  describe.each(ROUTE_SCOPES)('$method $path (scope $scope)', (route) => {
    it.each([
      ['no key', undefined],
      ['a malformed key', 'Bearer not-a-key'],
      ['an unknown key', `Bearer rk_000000000000_${'A'.repeat(43)}`],
      ['a revoked key', 'revoked'],
    ])('answers 401 problem+json to %s', async (_name, presented) => {
      const res = await call(route, presented === 'revoked' ? `Bearer ${keys.revoked}` : presented);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="rapport"');
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

  it('leaves the health checks open', async () => {
    expect((await stack.rawApp.request('/healthz')).status).toBe(200);
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
