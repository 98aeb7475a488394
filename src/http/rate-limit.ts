// Per-key rate limits: a token bucket per API key in this process (RAPPORT_RATE_LIMIT requests per
// second, bursts up to ten times that). Over the limit: 429 problem+json with Retry-After.
import type { Context, MiddlewareHandler } from 'hono';
import type { AuthEnv } from './auth.js';
import { Problem } from './problem.js';

export function rateLimit<E extends AuthEnv>(perSecond: number): MiddlewareHandler<E> {
  const burst = perSecond * 10;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    const key = (c as unknown as Context<AuthEnv>).get('apiKey');
    if (!key || perSecond <= 0) return next();
    const now = Date.now();
    const bucket = buckets.get(key.id) ?? { tokens: burst, at: now };
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    buckets.set(key.id, bucket);
    if (bucket.tokens < 1) {
      const wait = Math.ceil((1 - bucket.tokens) / perSecond);
      c.header('Retry-After', String(wait));
      throw new Problem(
        429,
        'Too many requests',
        `The key "${key.name}" is over ${perSecond} requests per second; retry in ${wait} s.`,
      );
    }
    bucket.tokens -= 1;
    return next();
  };
}
