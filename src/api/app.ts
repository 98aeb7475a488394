// The HTTP API: small sub-apps mounted under one Hono app, with one error handler that answers every
// failure as RFC 9457 problem+json.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { candidatesRoutes } from './candidates.js';
import type { ApiDeps } from './deps.js';
import { eventsRoutes } from './events.js';
import { healthRoutes } from './health.js';
import { journeysRoutes } from './journeys.js';
import { Problem, problemResponse } from './problem.js';

export const MAX_BODY_BYTES = 1024 * 1024;

export function createApp(deps: ApiDeps) {
  const app = new Hono();
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new Problem(413, 'Payload too large', `Bodies are limited to ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );
  app.route('/', healthRoutes(deps));
  app.route('/v1/events', eventsRoutes(deps));
  app.route('/v1/candidates', candidatesRoutes(deps));
  app.route('/v1/journeys', journeysRoutes(deps));

  app.notFound((c) =>
    problemResponse(c, new Problem(404, 'Not found', `No route for ${c.req.method} ${c.req.path}.`)),
  );
  app.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    if (error instanceof HTTPException) {
      return problemResponse(c, new Problem(error.status, error.message || 'HTTP error'));
    }
    deps.log.error({ err: error, path: c.req.path, method: c.req.method }, 'request failed');
    return problemResponse(
      c,
      new Problem(500, 'Internal error', 'The server could not complete the request.'),
    );
  });
  return app;
}
