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
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  summary: string;
  /** Schema file of the JSON body. */
  body?: string;
  /** Media type of the body when it is not JSON. */
  bodyType?: string;
  /** Schema file of the JSON body of its success answer (checked in tests, see response-check.ts). */
  response?: string;
  /** Query parameters: name → description. */
  query?: Record<string, string>;
  scope?: Scope;
  /** Signed by the source's secret instead of an API key. */
  signed?: boolean;
  responses: Record<string, string>;
}

const PAGE = {
  limit: 'Page size, 1–200 (default 50)',
  cursor: 'next_cursor of the previous page',
};

/** The 503 of an operation on a workflow whose earlier events wait for Temporal (src/api/event-delivery.ts). */
const BEHIND = 'The workflow’s earlier events still wait for the workflow service; nothing changed';

export const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/v1/events',
    summary: 'Post a candidate or job event, or a batch of up to 100',
    response: 'event-accepted.schema.json',
    body: 'event.schema.json',
    scope: 'events:write',
    responses: {
      '202':
        'Stored; delivered to its workflow right after (duplicate: true when the source and id were seen)',
      '422': 'Invalid event',
      '503': 'Too many events wait for the workflow service; nothing stored, retry after Retry-After',
    },
  },
  {
    method: 'get',
    path: '/v1/candidates',
    summary: 'Search candidates, newest first',
    response: 'candidate-page.schema.json',
    scope: 'candidates:read',
    query: {
      q: 'Words matched against names and email',
      tag: 'A tag the candidate has (repeat for several)',
      stage: "The candidate's stage",
      ...PAGE,
    },
    responses: { '200': '{ items, next_cursor }', '422': 'Bad query parameter' },
  },
  {
    method: 'post',
    path: '/v1/candidates',
    summary: 'Create a candidate, or merge into the one with the same email or external id',
    response: 'candidate.schema.json',
    body: 'candidate-input.schema.json',
    scope: 'candidates:write',
    responses: { '201': 'Created', '200': 'Merged into an existing candidate', '422': 'Invalid candidate' },
  },
  {
    method: 'get',
    path: '/v1/candidates/{id}',
    summary: 'A candidate with journeys, messages and timeline',
    response: 'candidate-view.schema.json',
    scope: 'candidates:read',
    responses: { '200': 'The candidate', '404': 'Unknown candidate' },
  },
  {
    method: 'patch',
    path: '/v1/candidates/{id}',
    summary: 'Correct a candidate (JSON merge patch; recorded as candidate.updated)',
    response: 'candidate.schema.json',
    body: 'candidate-patch.schema.json',
    scope: 'candidates:write',
    responses: {
      '200': 'The candidate',
      '404': 'Unknown candidate',
      '409': 'Email used by another candidate',
      '422': 'Invalid patch',
    },
  },
  {
    method: 'delete',
    path: '/v1/candidates/{id}',
    summary: 'Erase a candidate: journeys ended, personal data scrubbed, anonymous counts kept',
    scope: 'candidates:erase',
    responses: {
      '204': 'Erased (again: whatever an earlier attempt left in Temporal is ended)',
      '404': 'Unknown candidate',
      '503': 'The data is erased; the workflow waits behind earlier events: send the DELETE again',
    },
  },
  {
    method: 'get',
    path: '/v1/candidates/{id}/export',
    summary: 'Everything held about a candidate (subject access request), as a JSON download',
    scope: 'candidates:read',
    responses: { '200': 'The export', '404': 'Unknown candidate' },
  },
  {
    method: 'get',
    path: '/v1/candidates/{id}/notes',
    summary: 'Notes on a candidate, oldest first',
    scope: 'candidates:read',
    responses: { '200': '{ items }', '404': 'Unknown candidate' },
  },
  {
    method: 'post',
    path: '/v1/candidates/{id}/notes',
    summary: 'Write a note on a candidate (it goes on the timeline)',
    body: 'note.schema.json',
    scope: 'candidates:write',
    responses: { '201': 'The note', '404': 'Unknown candidate', '422': 'Invalid note' },
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
      '503': BEHIND,
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
    body: 'journey-operation.schema.json',
    scope: 'journeys:write',
    responses: {
      '200': 'The journey after the operation',
      '404': 'Unknown journey',
      '409': 'The journey has ended',
      '503': BEHIND,
    },
  })),
  {
    method: 'get',
    path: '/v1/jobs',
    summary: 'Jobs, most recently opened first',
    response: 'job-page.schema.json',
    scope: 'jobs:read',
    query: { status: 'open or closed', ...PAGE },
    responses: { '200': '{ items, next_cursor }', '422': 'Bad query parameter' },
  },
  {
    method: 'post',
    path: '/v1/jobs',
    summary: 'Open a job (job.opened: its playbooks rediscover and enroll candidates)',
    response: 'job.schema.json',
    body: 'job-input.schema.json',
    scope: 'jobs:write',
    responses: { '201': 'Opened', '200': 'Already open, unchanged', '422': 'Invalid job' },
  },
  {
    method: 'get',
    path: '/v1/jobs/{id}',
    summary: 'A job with the candidates it rediscovered and its timeline',
    response: 'job.schema.json',
    scope: 'jobs:read',
    responses: { '200': 'The job', '404': 'Unknown job' },
  },
  {
    method: 'post',
    path: '/v1/jobs/{id}/close',
    summary: 'Close a job (job.closed: the journeys it started end)',
    response: 'job.schema.json',
    scope: 'jobs:write',
    responses: { '200': 'The job, closed', '404': 'Unknown job', '409': 'Closed already' },
  },
  {
    method: 'get',
    path: '/v1/playbooks',
    summary: 'Published playbooks at their latest version, with journeys counted by status',
    scope: 'playbooks:read',
    responses: { '200': '{ items }' },
  },
  {
    method: 'post',
    path: '/v1/playbooks/validate',
    summary: 'Validate a playbook (YAML body): every error with line, column and pointer',
    bodyType: 'application/yaml',
    response: 'playbook-validation.schema.json',
    scope: 'playbooks:read',
    query: { file: 'File name the errors name (default: <playbook id>.yaml)' },
    responses: { '200': '{ valid, errors }', '415': 'Not YAML' },
  },
  {
    method: 'get',
    path: '/v1/playbooks/{id}',
    summary: 'A playbook: definition, versions, and its running journeys counted by version and step',
    scope: 'playbooks:read',
    query: { version: 'A published version (default: the latest)' },
    responses: { '200': 'The playbook', '404': 'Unknown playbook' },
  },
  {
    method: 'post',
    path: '/v1/playbooks/{id}/simulate',
    summary: 'Simulate a published playbook on a virtual clock, as rapport simulate does',
    body: 'simulation.schema.json',
    scope: 'playbooks:read',
    responses: {
      '200': '{ playbook, version, timeline }',
      '404': 'Unknown playbook',
      '422': 'Invalid request',
    },
  },
  {
    method: 'get',
    path: '/v1/messages',
    summary: 'The outbox, newest first, with delivery status',
    response: 'message-page.schema.json',
    scope: 'messages:read',
    query: {
      status: 'Delivery status',
      channel: 'email or sms',
      candidate_id: "One candidate's messages",
      ...PAGE,
    },
    responses: { '200': '{ items, next_cursor }', '422': 'Bad query parameter' },
  },
  {
    method: 'get',
    path: '/v1/messages/{id}',
    summary: 'One message with its text',
    response: 'message.schema.json',
    scope: 'messages:read',
    responses: { '200': 'The message', '404': 'Unknown message' },
  },
  {
    method: 'get',
    path: '/v1/tasks',
    summary: 'Recruiter tasks, newest first',
    response: 'task-page.schema.json',
    scope: 'tasks:read',
    query: {
      status: 'open, completed or cancelled',
      assignee: 'Assigned to',
      candidate_id: "One candidate's tasks",
      ...PAGE,
    },
    responses: { '200': '{ items, next_cursor }', '422': 'Bad query parameter' },
  },
  {
    method: 'post',
    path: '/v1/tasks/{id}/complete',
    summary: 'Complete a task (task.completed reaches a journey waiting for it)',
    response: 'task.schema.json',
    body: 'task-completion.schema.json',
    scope: 'tasks:write',
    responses: { '200': 'The task', '404': 'Unknown task', '409': 'Not open' },
  },
  {
    method: 'get',
    path: '/t/{token}',
    summary: 'A tracked link: records the click and redirects to the URL the signed token carries (public)',
    responses: { '302': 'Redirect', '200': 'Confirmation page of an answer link', '404': 'Unknown link' },
  },
  {
    method: 'post',
    path: '/t/{token}',
    summary: 'Confirm an answer link (e.g. open to work); recorded as its event (public)',
    responses: { '200': 'Recorded', '404': 'Unknown link' },
  },
  {
    method: 'post',
    path: '/inbound/email',
    summary: 'A reply from an inbound-mail provider (public); becomes candidate.replied',
    body: 'inbound-email.schema.json',
    responses: { '202': 'Accepted, or ignored when it answers no Rapport message', '422': 'Invalid email' },
  },
  {
    method: 'post',
    path: '/v1/sources/{source}/webhook',
    summary: 'A job board or ATS webhook, mapped to an event by pipelines/sources/<source>.yaml',
    signed: true,
    responses: {
      '202': 'Accepted, or ignored when no rule maps the payload',
      '401': 'Bad or missing signature, or a timestamp outside the window',
      '409': 'Replayed request',
      '503':
        'The source has no secret configured, or too many events wait for the workflow service (nothing stored)',
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
  const ref = (file: string) => `#/components/schemas/${file.replace('.schema.json', '')}`;
  const paths: Record<string, Record<string, object>> = {};
  for (const op of OPERATIONS) {
    const params = [
      ...[...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.entries(op.query ?? {}).map(([name, description]) => ({
        name,
        in: 'query',
        description,
        schema: { type: 'string' },
      })),
    ];
    (paths[op.path] ??= {})[op.method] = {
      summary: op.summary,
      ...(params.length ? { parameters: params } : {}),
      ...(op.bodyType
        ? { requestBody: { required: true, content: { [op.bodyType]: { schema: { type: 'string' } } } } }
        : {}),
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
            : op.response && status.startsWith('2') && status !== '204'
              ? { description, content: { 'application/json': { schema: { $ref: ref(op.response) } } } }
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
