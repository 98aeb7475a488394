// A few operations served as the API serves them (the guard, the router's checks, problem+json for every
// refusal), over dependencies a test gives: for the public operations that answer before they need
// PostgreSQL or Temporal, such as a webhook's signature or an inbound post's credential.
import { Hono } from 'hono';
import type { AuthEnv } from '../../src/http/auth.js';
import type { ApiDeps } from '../../src/http/deps.js';
import type { Operation } from '../../src/http/operation.js';
import { Problem, problemResponse } from '../../src/http/problem.js';
import type { RequestEnv } from '../../src/http/request-log.js';
import { guard, serve } from '../../src/http/router.js';
import { createLogger } from '../../src/log.js';

export function operationsApp(operations: readonly Operation[], deps: Partial<ApiDeps>) {
  const app = new Hono<RequestEnv & AuthEnv>();
  const options = {
    verify: () => Promise.resolve(undefined),
    limit: (_c: unknown, next: () => Promise<void>) => next(),
    log: createLogger('silent'),
    strict: true,
  };
  app.use('*', guard(options));
  serve(app, operations, deps as ApiDeps, options);
  app.onError((error, c) => {
    if (error instanceof Problem) return problemResponse(c, error);
    throw error;
  });
  return app;
}
