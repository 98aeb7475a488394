// Every request gets an id (Hono's request-id middleware: the caller's `X-Request-Id` when it is a word
// of at most 128 characters, else a new UUID), echoed in the response and carried by one structured log
// line per request. A path segment that is a route's `{token}` (an unsubscribe or tracked link, a
// one-time sign-in link) is a credential: the log line shows `…` in its place.
import type { Context, MiddlewareHandler } from 'hono';
import { requestId, type RequestIdVariables } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';

export type RequestEnv = { Variables: RequestIdVariables };

/** The longest `X-Request-Id` a caller may choose; a longer one is replaced. */
const MAX_REQUEST_ID = 128;

export function requestLog(log: Logger): MiddlewareHandler<RequestEnv>[] {
  const logLine: MiddlewareHandler<RequestEnv> = async (c, next) => {
    const started = performance.now();
    await next();
    log.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: loggedPath(c),
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  };
  return [requestId({ limitLength: MAX_REQUEST_ID }), logLine];
}

/** The request's path with the segments its route calls `:token` replaced by `…`. */
export function loggedPath(c: Context): string {
  const route = matchedRoutes(c).find((r) => r.method !== 'ALL' && r.path.includes(':token'));
  if (!route) return c.req.path;
  const pattern = route.path.split('/');
  return c.req.path
    .split('/')
    .map((segment, i) => (pattern[i] === ':token' ? '…' : segment))
    .join('/');
}
