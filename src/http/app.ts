// The HTTP API: the operations of src/http/operations.ts served by the router (default deny, schemas
// checked both ways), behind the request log and the body limits, with one error handler that answers
// every failure as RFC 9457 problem+json (the console's pages and candidates' link pages answer HTML).
import { Hono, type MiddlewareHandler } from 'hono';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { ping } from '../db/client.js';
import type { ApiDeps } from './deps.js';
import { createEventDelivery } from '../intake/event-delivery.js';
import { createMetrics } from './metrics.js';
import { OPERATIONS } from './operations.js';
import { honoPath, type Operation } from './operation.js';
import { consoleHeaders } from '../console/headers.js';
import { consoleGate } from '../console/session.js';
import { messagePage } from '../console/layout.js';
import { Problem, problemResponse } from './problem.js';
import { keyVerifier, type AuthEnv } from './auth.js';
import { rateLimit } from './rate-limit.js';
import { limitBodies, MAX_BODY_BYTES, MAX_FORM_BYTES, takesForms } from './body-limit.js';
import { page } from './public-page.js';
import { requestLog, type RequestEnv } from './request-log.js';
import { guard, matchedOperation, serve, type RouterOptions } from './router.js';
import { trackOutages } from './outage.js';

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
  app.use('*', ...requestLog(deps.log));
  const operations = given.operations ?? OPERATIONS;
  // The console's pages: strict CSP and no caching, on redirects and refusals too.
  for (const op of operations) if (isConsole(op)) app.use(honoPath(op.path), consoleHeaders);
  // Every body is limited, before anything reads it (the console's CSRF check reads the form).
  app.use('*', bodyLimits());
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

/**
 * The body limit of each request: an HTML form gets MAX_FORM_BYTES and a short page saying so (the
 * console's, or a candidate's link page); anything else, a route unknown included, MAX_BODY_BYTES and
 * 413 problem+json.
 */
function bodyLimits(): MiddlewareHandler {
  const kib = MAX_FORM_BYTES / 1024;
  const api = limitBodies(MAX_BODY_BYTES);
  const consoleForm = limitBodies(MAX_FORM_BYTES, (c) =>
    messagePage(c, 413, 'Too large', `A form may send at most ${kib} KiB. Shorten it and try again.`),
  );
  const linkPage = limitBodies(MAX_FORM_BYTES, (c) =>
    c.html(page('Too large', html`<p>This request is larger than ${kib} KiB.</p>`), 413),
  );
  return (c, next) => {
    const op = matchedOperation(c);
    if (!op || !takesForms(op)) return api(c, next);
    return (isConsole(op) ? consoleForm : linkPage)(c, next);
  };
}

/** A page, form or asset of the console (its own or one a test registers with a session scope). */
const isConsole = (op: Operation) =>
  op.console === true || (op.access !== undefined && 'session' in op.access);
