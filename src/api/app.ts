// The HTTP API: small sub-apps mounted under one Hono app, with one error handler that answers every
// failure as RFC 9457 problem+json.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
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
import { healthRoutes } from './health.js';
import { journeysRoutes } from './journeys.js';
import { openApiDocument, referencePage } from './openapi.js';
import { createMetrics, metricsRoutes } from './metrics.js';
import { sourcesRoutes } from './sources.js';
import { unsubscribeRoutes } from './unsubscribe.js';
import { Problem, problemResponse } from './problem.js';
import { requireScope, type AuthEnv } from './auth.js';
import { rateLimit } from './rate-limit.js';
import { checkResponses } from './response-check.js';
import { requestLog, type RequestEnv } from './request-log.js';
import type { Scope } from './scopes.js';

export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Every /v1 route and the scope its API key needs (a test checks that no route is missing). Source
 * webhooks are signed with the source's secret instead: PUBLIC_V1_ROUTES.
 */
export const PUBLIC_V1_ROUTES = ['POST /v1/sources/:source/webhook'];
type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export const ROUTE_SCOPES: { method: Method; path: string; scope: Scope }[] = [
  { method: 'POST', path: '/v1/events', scope: 'events:write' },
  { method: 'GET', path: '/v1/candidates', scope: 'candidates:read' },
  { method: 'POST', path: '/v1/candidates', scope: 'candidates:write' },
  { method: 'GET', path: '/v1/candidates/:id', scope: 'candidates:read' },
  { method: 'PATCH', path: '/v1/candidates/:id', scope: 'candidates:write' },
  { method: 'DELETE', path: '/v1/candidates/:id', scope: 'candidates:erase' },
  { method: 'GET', path: '/v1/candidates/:id/export', scope: 'candidates:read' },
  { method: 'GET', path: '/v1/candidates/:id/notes', scope: 'candidates:read' },
  { method: 'POST', path: '/v1/candidates/:id/notes', scope: 'candidates:write' },
  { method: 'POST', path: '/v1/candidates/:id/journeys', scope: 'journeys:write' },
  { method: 'GET', path: '/v1/journeys/:id', scope: 'journeys:read' },
  { method: 'POST', path: '/v1/journeys/:id/pause', scope: 'journeys:write' },
  { method: 'POST', path: '/v1/journeys/:id/resume', scope: 'journeys:write' },
  { method: 'POST', path: '/v1/journeys/:id/cancel', scope: 'journeys:write' },
  { method: 'GET', path: '/v1/jobs', scope: 'jobs:read' },
  { method: 'POST', path: '/v1/jobs', scope: 'jobs:write' },
  { method: 'GET', path: '/v1/jobs/:id', scope: 'jobs:read' },
  { method: 'POST', path: '/v1/jobs/:id/close', scope: 'jobs:write' },
  { method: 'GET', path: '/v1/playbooks', scope: 'playbooks:read' },
  { method: 'POST', path: '/v1/playbooks/validate', scope: 'playbooks:read' },
  { method: 'GET', path: '/v1/playbooks/:id', scope: 'playbooks:read' },
  { method: 'POST', path: '/v1/playbooks/:id/simulate', scope: 'playbooks:read' },
  { method: 'GET', path: '/v1/messages', scope: 'messages:read' },
  { method: 'GET', path: '/v1/messages/:id', scope: 'messages:read' },
  { method: 'GET', path: '/v1/tasks', scope: 'tasks:read' },
  { method: 'POST', path: '/v1/tasks/:id/complete', scope: 'tasks:write' },
];

export function createApp(given: ApiDeps) {
  const deps: ApiDeps = { ...given, metrics: given.metrics ?? createMetrics(given.sql) };
  const app = new Hono<RequestEnv & AuthEnv>();
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new Problem(413, 'Payload too large', `Bodies are limited to ${MAX_BODY_BYTES} bytes.`);
    },
  });
  app.use('/v1/*', limitBody);
  app.use('/inbound/*', limitBody);
  app.use('*', requestLog(deps.log));
  app.use('/v1/*', checkResponses(deps.log, deps.strictResponses ?? false));
  const limit = rateLimit(deps.rateLimit ?? 0);
  for (const route of ROUTE_SCOPES) app.on(route.method, route.path, requireScope(deps, route.scope), limit);
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
