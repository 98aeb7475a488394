// The HTTP API: the operations of src/http/operations.ts served by the router (default deny, schemas
// checked both ways), behind the body limit and the request log, with one error handler that answers
// every failure as RFC 9457 problem+json.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ping } from '../db/client.js';
import type { ApiDeps } from './deps.js';
import { createEventDelivery } from '../intake/event-delivery.js';
import { createMetrics } from './metrics.js';
import { OPERATIONS } from './operations.js';
import { honoPath, type Operation } from './operation.js';
import { consoleHeaders } from '../console/headers.js';
import { consoleGate } from '../console/session.js';
import { Problem, problemResponse } from './problem.js';
import { keyVerifier, type AuthEnv } from './auth.js';
import { rateLimit } from './rate-limit.js';
import { limitBodies } from './body-limit.js';
import { requestLog, type RequestEnv } from './request-log.js';
import { guard, serve, type RouterOptions } from './router.js';
import { trackOutages } from './outage.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export function createApp(given: ApiDeps & { operations?: readonly Operation[] }) {
  const metrics = given.metrics ?? createMetrics(given.sql);
  const delivery =
    given.delivery ??
    createEventDelivery({
      sql: given.sql,
      temporal: given.temporal,
      taskQueue: given.taskQueue,
      log: given.log.child({ part: 'delivery' }),
      registry: metrics.registry,
    });
  const deps: ApiDeps = { ...given, metrics, delivery };
  const outages = trackOutages(deps.log, {
    postgres: () => ping(deps.sql),
    temporal: () => deps.temporal.connection.workflowService.getSystemInfo({}),
  });
  const app = new Hono<RequestEnv & AuthEnv>();
  const limitBody = limitBodies(MAX_BODY_BYTES);
  app.use('/v1/*', limitBody);
  app.use('/inbound/*', limitBody);
  app.use('*', ...requestLog(deps.log));
  const operations = given.operations ?? OPERATIONS;
  // The console's pages: strict CSP and no caching, on redirects and refusals too.
  for (const op of operations) if (isConsole(op)) app.use(honoPath(op.path), consoleHeaders);
  const options: RouterOptions = {
    verify: keyVerifier(deps, deps.keyCacheMs),
    session: consoleGate(deps.sql),
    limit: rateLimit(deps.rateLimit ?? 0),
    log: deps.log,
    strict: deps.strictResponses ?? false,
  };
  // Default deny: before every route, so that no route is served without its operation's say.
  app.use('*', guard(options));
  serve(app, operations, deps, options);

  app.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    // An answer made elsewhere (the bearer-auth 401s are already problem+json).
    if (error instanceof HTTPException && error.res) return error.getResponse();
    if (error instanceof HTTPException) {
      return problemResponse(c, new Problem(error.status, error.message || 'HTTP error'));
    }
    const outage = outages.problemFor(error);
    if (outage) return problemResponse(c, outage);
    deps.log.error(
      { err: error, path: c.req.path, method: c.req.method, requestId: c.get('requestId') },
      'request failed',
    );
    // The tests (strict answers) see what failed; production answers name nothing internal.
    const detail = deps.strictResponses
      ? `${error.name}: ${error.message} (code ${String((error as { code?: unknown }).code)})`
      : 'The server could not complete the request.';
    return problemResponse(c, new Problem(500, 'Internal error', detail));
  });
  return app;
}

/** A page, form or asset of the console (its own or one a test registers with a session scope). */
const isConsole = (op: Operation) =>
  op.console === true || (op.access !== undefined && 'session' in op.access);
