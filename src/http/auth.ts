// API keys (`Authorization: Bearer rk_…`): 401 problem+json without a valid one (missing, unknown,
// revoked). Which operation needs which scope is the operation's own (src/http/router.ts checks it). A
// revoked key stops working within KEY_CACHE_MS (valid keys are remembered that long).
import type { Context } from 'hono';
import { verifyApiKey, type ApiKey } from '../db/api-keys.js';
import type { ApiDeps } from './deps.js';
import { Problem } from './problem.js';

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

/** The API key the request presents (`Authorization: Bearer rk_…`), or a 401 problem. */
export async function requireKey<E extends AuthEnv>(verify: KeyVerifier, c: Context<E>): Promise<ApiKey> {
  const header = c.req.header('authorization') ?? '';
  const presented = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const key = presented ? await verify(presented) : undefined;
  if (!key) {
    const problem = new Problem(
      401,
      'Unauthorized',
      presented
        ? 'The API key is unknown or revoked.'
        : 'Send an API key as `Authorization: Bearer rk_…` (create one with `rapport keys create`).',
    );
    problem.headers = { 'WWW-Authenticate': 'Bearer realm="rapport"' };
    throw problem;
  }
  c.set('apiKey', key);
  return key;
}
