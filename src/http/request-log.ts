// Every request gets an id (the caller's `X-Request-Id` when it is a sane token, else a new UUID),
// echoed in the response and carried by one structured log line per request.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';

export type RequestEnv = { Variables: { requestId: string } };

const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestLog(log: Logger): MiddlewareHandler<RequestEnv> {
  return async (c, next) => {
    const given = c.req.header('x-request-id');
    const id = given && SANE.test(given) ? given : randomUUID();
    c.set('requestId', id);
    const started = performance.now();
    await next();
    c.res.headers.set('X-Request-Id', id);
    log.info(
      {
        requestId: id,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
      },
      'request',
    );
  };
}
