// Every /v1 route needs an API key (`Authorization: Bearer rk_…`) with the route's scope: 401 without a
// valid key (missing, unknown, revoked), 403 when the key lacks the scope. Both as problem+json.
import type { MiddlewareHandler } from 'hono';
import { verifyApiKey, type ApiKey } from '../db/api-keys.js';
import type { ApiDeps } from './deps.js';
import { Problem } from './problem.js';
import { grants, type Scope } from './scopes.js';

export type AuthEnv = { Variables: { apiKey: ApiKey } };

export function requireScope(deps: Pick<ApiDeps, 'sql'>, scope: Scope): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const presented = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const key = presented ? await verifyApiKey(deps.sql, presented) : undefined;
    if (!key) {
      c.header('WWW-Authenticate', 'Bearer realm="rapport"');
      throw new Problem(
        401,
        'Unauthorized',
        presented
          ? 'The API key is unknown or revoked.'
          : 'Send an API key as `Authorization: Bearer rk_…` (create one with `rapport keys create`).',
      );
    }
    if (!grants(key.scopes, scope))
      throw new Problem(403, 'Forbidden', `The API key "${key.name}" lacks the scope ${scope}.`);
    c.set('apiKey', key);
    await next();
  };
}
