// Every success answer whose operation names a response schema (src/api/openapi.ts) is checked against
// it with the same ajv as requests, on the JSON value the handler answered with. A mismatch is logged as
// an error; with `strict` (the tests) the answer becomes a 500 naming the field, so a response that
// drifts from its documented shape fails.
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import { validate } from '../schemas/index.js';
import { OPERATIONS } from './openapi.js';
import { Problem, problemResponse } from './problem.js';

export function checkResponses(log: Logger, strict: boolean): MiddlewareHandler {
  const schemas = new Map(
    OPERATIONS.filter((op) => op.response).map((op) => [
      `${op.method.toUpperCase()} ${op.path.replace(/\{(\w+)\}/g, ':$1')}`,
      op.response!,
    ]),
  );
  return async (c, next) => {
    // The value a handler answers with is kept as it goes out: reading the answer back would copy its
    // body stream, and the server could then no longer write it in one piece.
    let answered: { value: unknown } | undefined;
    const json = c.json as (...args: unknown[]) => ReturnType<typeof c.json>;
    c.json = (...args: unknown[]) => {
      answered = { value: args[0] };
      return json(...args);
    };
    await next();
    if (!answered || c.res.status < 200 || c.res.status >= 300 || c.res.status === 204) return;
    const route = matchedRoutes(c)
      .filter((r) => r.method !== 'ALL')
      .at(-1);
    const schema = route && schemas.get(`${route.method} ${route.path}`);
    if (!schema) return;
    // As the client reads it: dates as text, undefined fields left out.
    const result = validate(schema, JSON.parse(JSON.stringify(answered.value)) as unknown);
    if (result.ok) return;
    const detail = result.errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; ');
    log.error(
      { path: c.req.path, method: c.req.method, schema, detail },
      'response does not match its schema',
    );
    if (strict)
      c.res = problemResponse(
        c,
        new Problem(500, 'Response does not match its schema', `${schema}: ${detail}`),
      );
  };
}
