// API keys (`Authorization: Bearer rk_…`), checked by Hono's bearer-auth middleware with our verifier:
// 401 problem+json without a valid one (missing, malformed, unknown, revoked). Which operation needs
// which scope is the operation's own (src/http/router.ts checks it). A revoked key stops working within
// KEY_CACHE_MS (valid keys are remembered that long).
import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { verifyApiKey, type ApiKey } from '../db/api-keys.js';
import type { ApiDeps } from './deps.js';
import { Problem, problemResponse } from './problem.js';

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

const REALM = 'rapport';
const HOW = 'Send an API key as `Authorization: Bearer rk_…` (create one with `rapport keys create`).';

/** The 401 answer, as problem+json; bearer-auth adds the RFC 6750 challenge to it. */
const refuse = (detail: string) => (c: Context) =>
  problemResponse(c, new Problem(401, 'Unauthorized', detail));

/**
 * Authenticates the request's API key and leaves it in `c.get('apiKey')`. A malformed header is answered
 * like a missing key (401, not RFC 6750's 400), so a client has one answer to handle.
 */
export function keyAuth<E extends AuthEnv>(verify: KeyVerifier): MiddlewareHandler<E> {
  return bearerAuth<E>({
    realm: REALM,
    verifyToken: async (token, c) => {
      const key = await verify(token);
      if (key) c.set('apiKey', key);
      return key !== undefined;
    },
    noAuthenticationHeader: { message: refuse(HOW) },
    invalidAuthenticationHeader: {
      message: refuse(HOW),
      wwwAuthenticateHeader: `Bearer realm="${REALM}", error="invalid_request"`,
    },
    invalidToken: {
      message: refuse('The API key is unknown or revoked.'),
      wwwAuthenticateHeader: `Bearer realm="${REALM}", error="invalid_token"`,
    },
  });
}
