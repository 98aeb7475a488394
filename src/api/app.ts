// The HTTP API: small sub-apps mounted under one Hono app, with one error handler that answers every
// failure as RFC 9457 problem+json.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { candidateRecordsRoutes } from './candidate-records.js';
import { candidatesRoutes } from './candidates.js';
import { enrollmentRoutes } from './enrollment.js';
import { inboundRoutes } from './inbound.js';
import { jobsRoutes } from './jobs.js';
import { messagesRoutes, tasksRoutes } from './outbox.js';
import { playbooksRoutes } from './playbooks.js';
import { trackingRoutes } from './tracking.js';
import type { ApiDeps } from './deps.js';
import { eventsRoutes } from './events.js';
import { createEventDelivery } from './event-delivery.js';
import { healthRoutes } from './health.js';
import { journeysRoutes } from './journeys.js';
import { OPERATIONS, openApiDocument, referencePage } from './openapi.js';
import { createMetrics, metricsRoutes } from './metrics.js';
import { sourcesRoutes } from './sources.js';
import { unsubscribeRoutes } from './unsubscribe.js';
import { Problem, problemResponse } from './problem.js';
import { keyVerifier, requireScope, type AuthEnv } from './auth.js';
import { rateLimit } from './rate-limit.js';
import { checkResponses } from './response-check.js';
import { limitBodies } from './body-limit.js';
import { requestLog, type RequestEnv } from './request-log.js';
import type { Scope } from './scopes.js';

export const MAX_BODY_BYTES = 1024 * 1024;

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/**
 * Every /v1 route and the scope its API key needs, from the one table of operations (src/api/openapi.ts);
 * a test checks that no served route is missing. Source webhooks are signed with the source's secret
 * instead: PUBLIC_V1_ROUTES.
 */
export const ROUTE_SCOPES: { method: Method; path: string; scope: Scope }[] = OPERATIONS.filter(
  (op) => op.scope,
).map((op) => ({ method: op.method.toUpperCase() as Method, path: honoPath(op.path), scope: op.scope! }));
export const PUBLIC_V1_ROUTES = OPERATIONS.filter((op) => op.signed).map(
  (op) => `${op.method.toUpperCase()} ${honoPath(op.path)}`,
);

export function createApp(given: ApiDeps) {
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
  const app = new Hono<RequestEnv & AuthEnv>();
  const limitBody = limitBodies(MAX_BODY_BYTES);
  app.use('/v1/*', limitBody);
  app.use('/inbound/*', limitBody);
  app.use('*', requestLog(deps.log));
  app.use('/v1/*', checkResponses(deps.log, deps.strictResponses ?? false));
  const limit = rateLimit(deps.rateLimit ?? 0);
  const verify = keyVerifier(deps, deps.keyCacheMs);
  for (const route of ROUTE_SCOPES)
    app.on(route.method, route.path, requireScope(verify, route.scope), limit);
  app.route('/', healthRoutes(deps));
  app.route('/', metricsRoutes(deps.metrics!));
  app.get('/openapi.json', (c) => c.json(openApiDocument()));
  app.get('/docs', (c) => c.html(referencePage()));
  app.route('/v1/events', eventsRoutes(deps));
  app.route('/v1/candidates', candidatesRoutes(deps));
  app.route('/v1/candidates', candidateRecordsRoutes(deps));
  app.route('/v1/candidates', enrollmentRoutes(deps));
  app.route('/v1/journeys', journeysRoutes(deps));
  app.route('/v1/jobs', jobsRoutes(deps));
  app.route('/v1/playbooks', playbooksRoutes(deps));
  app.route('/v1/messages', messagesRoutes(deps));
  app.route('/v1/tasks', tasksRoutes(deps));
  app.route('/v1/sources', sourcesRoutes(deps));
  app.route('/u', unsubscribeRoutes(deps));
  app.route('/t', trackingRoutes(deps));
  app.route('/inbound', inboundRoutes(deps));

  app.notFound((c) =>
    problemResponse(c, new Problem(404, 'Not found', `No route for ${c.req.method} ${c.req.path}.`)),
  );
  app.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    if (error instanceof HTTPException) {
      return problemResponse(c, new Problem(error.status, error.message || 'HTTP error'));
    }
    deps.log.error(
      { err: error, path: c.req.path, method: c.req.method, requestId: c.get('requestId') },
      'request failed',
    );
    return problemResponse(
      c,
      new Problem(500, 'Internal error', 'The server could not complete the request.'),
    );
  });
  return app;
}
