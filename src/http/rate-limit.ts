// Rate limits: token buckets in this process, `perSecond` requests a second with bursts up to ten times
// that — one per API key (RAPPORT_RATE_LIMIT), and one for whoever else an operation limits itself (the
// inbound-mail provider). Over the limit: 429 problem+json with Retry-After.
import type { Context, MiddlewareHandler } from 'hono';
import type { AuthEnv } from './auth.js';
import { Problem } from './problem.js';

/** Takes a request from the named bucket: 0 when there was room, else the seconds until there is. */
export type TokenBuckets = (name: string) => number;

export function tokenBuckets(perSecond: number): TokenBuckets {
  const burst = perSecond * 10;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (name) => {
    if (perSecond <= 0) return 0;
    const now = Date.now();
    const bucket = buckets.get(name) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    buckets.set(name, bucket);
    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) / perSecond);
    bucket.tokens -= 1;
    return 0;
  };
}

/** The 429 answer: `who` is over `perSecond` requests a second; Retry-After says when to come back. */
export function overRate(who: string, perSecond: number, wait: number): Problem {
  const problem = new Problem(
    429,
    'Too many requests',
    `${who} is over ${perSecond} requests per second; retry in ${wait} s.`,
  );
  problem.headers = { 'Retry-After': String(wait) };
  return problem;
}

export function rateLimit<E extends AuthEnv>(perSecond: number): MiddlewareHandler<E> {
  const take = tokenBuckets(perSecond);
  return async (c, next) => {
    const key = (c as unknown as Context<AuthEnv>).get('apiKey');
    if (!key) return next();
    const wait = take(key.id);
    if (wait > 0) throw overRate(`The key "${key.name}"`, perSecond, wait);
    return next();
  };
}
