// The OpenAPI 3.1 document (/openapi.json), built from the same JSON Schemas that validate requests, and
// a reference page rendered from it (/docs). One table of operations below; a test checks that it names
// every route the app serves.
import fs from 'node:fs';
import path from 'node:path';
import { html, raw } from 'hono/html';
import { SCHEMAS_DIR } from '../schemas/index.js';
import type { Scope } from './scopes.js';
import { SCOPES } from './scopes.js';

interface Operation {
  method: 'get' | 'post';
  path: string;
  summary: string;
  /** Schema file of the JSON body. */
  body?: string;
  scope?: Scope;
  /** Signed by the source's secret instead of an API key. */
  signed?: boolean;
  responses: Record<string, string>;
}

export const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/v1/events',
    summary: 'Post a candidate or job event, or a batch of up to 100',
    body: 'event.schema.json',
    scope: 'events:write',
    responses: {
      '202': 'Accepted (duplicate: true when the source and id were seen)',
      '422': 'Invalid event',
    },
  },
  {
    method: 'get',
    path: '/v1/candidates/{id}',
    summary: 'A candidate with journeys, messages and timeline',
    scope: 'candidates:read',
    responses: { '200': 'The candidate', '404': 'Unknown candidate' },
  },
  {
    method: 'post',
    path: '/v1/candidates/{id}/journeys',
    summary: 'Enroll the candidate into a playbook',
    body: 'enrollment.schema.json',
    scope: 'journeys:write',
    responses: {
      '201': 'The new journey',
      '409': 'Already in that playbook',
      '422': 'Not a candidate playbook',
    },
  },
  {
    method: 'get',
    path: '/v1/journeys/{id}',
    summary: 'A journey, with what it waits for',
    scope: 'journeys:read',
    responses: { '200': 'The journey', '404': 'Unknown journey' },
  },
  ...(['pause', 'resume', 'cancel'] as const).map((op): Operation => ({
    method: 'post',
    path: `/v1/journeys/{id}/${op}`,
    summary: `${op[0]!.toUpperCase()}${op.slice(1)} a journey`,
    scope: 'journeys:write',
    responses: {
      '200': 'The journey after the operation',
      '404': 'Unknown journey',
      '409': 'The journey has ended',
    },
  })),
  {
    method: 'post',
    path: '/v1/sources/{source}/webhook',
    summary: 'A job board or ATS webhook, mapped to an event by pipelines/sources/<source>.yaml',
    signed: true,
    responses: {
      '202': 'Accepted, or ignored when no rule maps the payload',
      '401': 'Bad or missing signature, or a timestamp outside the window',
      '409': 'Replayed request',
    },
  },
  {
    method: 'get',
    path: '/u/{token}',
    summary: 'Unsubscribe confirmation page (public, HTML)',
    responses: { '200': 'The page', '404': 'Unknown link' },
  },
  {
    method: 'post',
    path: '/u/{token}',
    summary: 'Unsubscribe (RFC 8058 one-click; public)',
    responses: { '200': 'Unsubscribed', '404': 'Unknown link' },
  },
  { method: 'get', path: '/healthz', summary: 'The process is up', responses: { '200': 'Up' } },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: events accepted, journeys by status, messages by outcome',
    responses: { '200': 'The Prometheus text format' },
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'PostgreSQL and Temporal answer',
    responses: { '200': 'Ready', '503': 'A dependency does not answer' },
  },
];

let cached: object | undefined;

export function openApiDocument(): object {
  if (cached) return cached;
  const schemas = Object.fromEntries(
    fs
      .readdirSync(SCHEMAS_DIR)
      .filter((f) => f.endsWith('.schema.json'))
      .sort()
      .map((f) => [
        f.replace('.schema.json', ''),
        JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, f), 'utf8')),
      ]),
  );
  const problem = { $ref: '#/components/schemas/Problem' };
  const paths: Record<string, Record<string, object>> = {};
  for (const op of OPERATIONS) {
    const params = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': {
                  schema: { $ref: `#/components/schemas/${op.body.replace('.schema.json', '')}` },
                },
              },
            },
          }
        : {}),
      security: op.scope ? [{ apiKey: [op.scope] }] : [],
      ...(op.signed
        ? { description: 'Signed with the source secret (HMAC-SHA256 over the raw body); no API key.' }
        : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, description]) => [
          status,
          Number(status) >= 400
            ? { description, content: { 'application/problem+json': { schema: problem } } }
            : { description },
        ]),
      ),
    };
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Rapport API',
      version: '1',
      description:
        'Candidate relationship management: events in, journeys run, messages out. Errors are RFC 9457 problem+json.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: `An API key (rk_…) from \`rapport keys create\`. Scopes: ${Object.entries(SCOPES)
            .map(([s, d]) => `${s} (${d})`)
            .join('; ')}.`,
        },
      },
      schemas: {
        ...schemas,
        Problem: {
          type: 'object',
          description: 'RFC 9457 problem details.',
          properties: {
            type: { type: 'string', description: 'A URI naming the kind of problem.' },
            title: { type: 'string', description: 'Short summary.' },
            status: { type: 'integer', description: 'The HTTP status.' },
            detail: { type: 'string', description: 'What went wrong, naming the field.' },
            instance: { type: 'string', description: 'The request path.' },
            errors: {
              type: 'array',
              description: 'Each offending field as a JSON pointer into the body.',
              items: {
                type: 'object',
                properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
  return cached;
}

/** The reference page: every operation, its scope, body schema and answers, without scripts. */
export function referencePage() {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>Rapport API reference</title>
      </head>
      <body style="font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem">
        <h1>Rapport API reference</h1>
        <p>
          Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Errors are RFC 9457
          problem+json.
        </p>
        ${OPERATIONS.map(
          (op) =>
            html`<section>
              <h2><code>${op.method.toUpperCase()} ${op.path}</code></h2>
              <p>${op.summary}</p>
              <p>
                ${
                  op.scope
                    ? html`API key with scope <code>${op.scope}</code>`
                    : op.signed
                      ? 'Signed by the source secret'
                      : 'Public'
                }
                ${op.body ? html` · body: <code>schemas/${op.body}</code>` : raw('')}
              </p>
              <ul>
                ${Object.entries(op.responses).map(([s, d]) => html`<li><code>${s}</code> ${d}</li>`)}
              </ul>
            </section>`,
        )}
      </body>
    </html>`;
}
