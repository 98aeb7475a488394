// Every /v1 route needs an API key (`Authorization: Bearer rk_…`) with the route's scope: 401 without a
// valid key (missing, unknown, revoked), 403 when the key lacks the scope. Both as problem+json. A revoked
// key stops working within KEY_CACHE_MS (valid keys are remembered that long).
import type { MiddlewareHandler } from 'hono';
import { verifyApiKey, type ApiKey } from '../db/api-keys.js';
import type { ApiDeps } from './deps.js';
import { Problem } from './problem.js';
import { grants, type Scope } from './scopes.js';

export type AuthEnv = { Variables: { apiKey: ApiKey } };

/** How long a verified key is trusted without asking PostgreSQL again: a revoked key stops within this. */
export const KEY_CACHE_MS = 5000;
const KEY_CACHE_SIZE = 1000;

export type KeyVerifier = (presented: string) => Promise<ApiKey | undefined>;

/**
 * Verifies presented keys against PostgreSQL, remembering valid ones for KEY_CACHE_MS so that a busy
 * client costs one lookup every few seconds rather than one per request. Unknown keys are never cached.
 */
export function keyVerifier(deps: Pick<ApiDeps, 'sql'>, ttlMs = KEY_CACHE_MS): KeyVerifier {
  const cache = new Map<string, { key: ApiKey; until: number }>();
  return async (presented) => {
    const now = Date.now();
    const hit = cache.get(presented);
    if (hit && hit.until > now) return hit.key;
    const key = await verifyApiKey(deps.sql, presented);
    if (cache.size >= KEY_CACHE_SIZE) cache.clear();
    if (key) cache.set(presented, { key, until: now + ttlMs });
    else cache.delete(presented);
    return key;
  };
}

export function requireScope(verify: KeyVerifier, scope: Scope): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const presented = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    const key = presented ? await verify(presented) : undefined;
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
