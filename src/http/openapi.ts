// The OpenAPI 3.1 document (/openapi.json) and the reference page (/docs), built from the operations
// themselves. The document is self-contained: every file of `schemas/` is a component, with its `$ref`s
// (to other files and to its own `$defs`) rewritten to point inside the document, so generators and
// contract testers need nothing else. Answers the router gives on its own (401, 403, 429, 400, 413,
// 415, 422) are added to the operations they apply to.
import fs from 'node:fs';
import path from 'node:path';
import { html } from 'hono/html';
import { SCHEMAS_DIR } from '../schemas/index.js';
import { MAX_BODY_BYTES, MAX_FORM_BYTES, takesForms } from './body-limit.js';
import type { Answer, Operation } from './operation.js';
import { SCOPES } from './scopes.js';

const PROBLEM = 'Problem';
const component = (file: string) => file.replace(/\.schema\.json$/, '');

/** Every answer of an operation: its own and the router's. */
export function answersOf(op: Operation): Record<number, Answer> {
  const answers: Record<number, Answer> = { ...op.answers };
  const add = (status: number, description: string) => (answers[status] ??= { description });
  if ('scope' in op.access) {
    add(401, 'No valid API key (missing, unknown or revoked)');
    add(403, `The API key lacks the scope ${op.access.scope}`);
    add(429, 'Over the API key’s rate limit; retry after Retry-After');
  }
  if (op.method !== 'get')
    answers[413] ??= takesForms(op)
      ? { description: `The body is larger than ${MAX_FORM_BYTES / 1024} KiB`, mediaType: 'text/html' }
      : { description: `The body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB` };
  if (op.body && 'json' in op.body) {
    add(400, 'The body is not JSON');
    add(415, 'The body is not application/json');
    add(422, 'The body does not match its schema; each field is named');
  }
  if (op.body && 'text' in op.body) add(415, `The body is not ${op.body.text.join(' or ')}`);
  if (op.query && Object.keys(op.query).length) add(422, 'A query parameter is not acceptable; it is named');
  if (op.params && Object.keys(op.params).length) add(404, 'Unknown id');
  if (!op.standalone) add(503, 'PostgreSQL or Temporal cannot be reached right now; retry after Retry-After');
  const unavailable = answers[503];
  if (unavailable && !unavailable.headers)
    answers[503] = { ...unavailable, headers: { 'Retry-After': 'Seconds to wait' } };
  return answers;
}

/** Each list of operations' document, built once (an app serves one list; tests may build another). */
const documents = new WeakMap<readonly Operation[], object>();

/** The API's operations: the console's pages and forms are for browsers, not for API clients. */
export const apiOperations = (operations: readonly Operation[]) =>
  operations.filter((op) => !op.console && !('session' in op.access));

export function openApiDocument(all: readonly Operation[]): object {
  const built = documents.get(all);
  if (built) return built;
  const operations = apiOperations(all);
  const paths: Record<string, Record<string, object>> = {};
  const ids: OperationIds = new Map(operations.map((op) => [`${op.method} ${op.path}`, operationId(op)]));
  for (const op of operations) (paths[op.path] ??= {})[op.method] = operationObject(op, ids);
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'Rapport API',
      version: '1',
      description:
        'Candidate relationship management: events in, journeys run, messages out. Errors are RFC 9457 problem+json.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/' }],
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
      schemas: { ...schemaComponents(), [PROBLEM]: problemSchema(), [TEXT_JSON]: textJsonSchema() },
    },
  };
  documents.set(all, document);
  return document;
}

/** Each operation's OpenAPI operationId, by `<method> <path>` (how links name their target). */
type OperationIds = ReadonlyMap<string, string>;

function operationObject(op: Operation, ids: OperationIds): object {
  const parameters = [
    ...(op.path.match(/\{(\w+)\}/g) ?? []).map((p) => {
      const name = p.slice(1, -1);
      const spec = op.params?.[name];
      return {
        name,
        in: 'path',
        required: true,
        ...(spec ? { description: spec.description } : {}),
        schema: rewrite(spec?.schema ?? { type: 'string' }, ''),
      };
    }),
    ...Object.entries(op.query ?? {}).map(([name, spec]) => {
      const schema = rewrite(spec.schema, '') as Record<string, unknown>;
      return {
        name,
        in: 'query',
        description: spec.required ? spec.description : `${spec.description} (an empty value is absent)`,
        required: spec.required ?? false,
        ...(spec.repeated ? { style: 'form', explode: true } : {}),
        // The router takes `?name=` for no value at all: the document says so.
        schema: spec.repeated
          ? { type: 'array', items: schema }
          : spec.required
            ? schema
            : { anyOf: [schema, { const: '' }] },
      };
    }),
  ];
  return {
    operationId: operationId(op),
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: requestBody(op.body) } : {}),
    security: 'scope' in op.access ? [{ apiKey: [op.access.scope] }] : [],
    responses: Object.fromEntries(
      Object.entries(answersOf(op)).map(([status, answer]) => [
        status,
        response(Number(status), answer, ids),
      ]),
    ),
  };
}

function operationId(op: Operation): string {
  const words = op.path
    .split('/')
    .filter((s) => s && s !== 'v1')
    .map((s) => s.replace(/^\{(\w+)\}$/, 'by-$1'));
  return [op.method, ...words].join('-').replace(/-(\w)/g, (_, ch: string) => ch.toUpperCase());
}

function requestBody(body: NonNullable<Operation['body']>): object {
  if ('form' in body)
    return { required: true, content: { 'application/x-www-form-urlencoded': { schema: body.form } } };
  if ('text' in body)
    return {
      required: true,
      description: body.description,
      // Any text is a request this operation answers (a document that is no playbook is reported in its
      // answer), so no body violates it.
      content: Object.fromEntries(body.text.map((t) => [t, { schema: {} }])),
    };
  const files = [body.json].flat();
  const refs = files.map((f) => ({ $ref: `#/components/schemas/${component(f)}` }));
  return {
    required: !body.optional,
    content: { 'application/json': { schema: refs.length === 1 ? refs[0] : { oneOf: refs } } },
  };
}

function response(status: number, answer: Answer, ids: OperationIds): object {
  const links = answer.links
    ? {
        links: Object.fromEntries(
          Object.entries(answer.links).map(([name, link]) => {
            const id = ids.get(link.to);
            if (!id) throw new Error(`link ${name} names no operation: ${link.to}`);
            return [name, { operationId: id, parameters: link.with }];
          }),
        ),
      }
    : {};
  const headers = answer.headers
    ? {
        headers: Object.fromEntries(
          Object.entries(answer.headers).map(([name, description]) => [
            name,
            { description, schema: { type: 'string' } },
          ]),
        ),
      }
    : {};
  if (status >= 400 && !answer.mediaType)
    return {
      description: answer.description,
      ...headers,
      content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM}` } } },
    };
  if (answer.mediaType)
    return {
      description: answer.description,
      ...headers,
      content: { [answer.mediaType]: { schema: { type: 'string' } } },
    };
  if (answer.schema)
    return {
      description: answer.description,
      ...headers,
      ...links,
      content: {
        'application/json': { schema: { $ref: `#/components/schemas/${component(answer.schema)}` } },
      },
    };
  return { description: answer.description, ...headers, ...links };
}

/** Every file of `schemas/` as a component named after it, its references pointing inside the document. */
function schemaComponents(): Record<string, unknown> {
  return Object.fromEntries(
    fs
      .readdirSync(SCHEMAS_DIR)
      .filter((f) => f.endsWith('.schema.json'))
      .sort()
      .map((f) => {
        const {
          $id: _id,
          $schema: _schema,
          ...schema
        } = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, f), 'utf8')) as Record<string, unknown>;
        return [component(f), rewrite(schema, component(f))];
      }),
  );
}

/**
 * No text the API takes may hold a NUL character (PostgreSQL cannot store it; the router refuses it,
 * src/http/storable.ts). The router refuses a lone surrogate too, which JSON text can spell but no
 * Unicode string holds; the pattern does not name that range, which clients' regex engines (Python's,
 * for Schemathesis) cannot compile as intended.
 */
const STORABLE_TEXT = '^[^\\u0000]*$';

/**
 * A schema as the document states it: `$ref`s rewritten — `other.schema.json` (with any fragment) names
 * that component, `#/$defs/x` the definition inside the component `own` — and the router’s rule on storable text
 * made explicit on free text and free-form keys.
 */
function rewrite(node: unknown, own: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, own));
  if (!node || typeof node !== 'object') return node;
  const rewritten: Record<string, unknown> = Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key !== '$ref' || typeof value !== 'string') return [key, rewrite(value, own)];
      const [file, fragment = ''] = value.split('#') as [string, string?];
      const target = file ? component(file.replace(/^.*\//, '')) : own;
      return [key, `#/components/schemas/${target}${fragment}`];
    }),
  );
  const types = [rewritten.type].flat();
  const constrained = ['pattern', 'format', 'enum', 'const'].some((k) => k in rewritten);
  if (types.includes('string') && !constrained) rewritten.pattern = STORABLE_TEXT;
  if (types.includes('object') && rewritten.additionalProperties !== false) {
    rewritten.propertyNames ??= { pattern: STORABLE_TEXT };
    // Free-form members (custom fields, event data, a provider's extra fields) are any storable JSON.
    if (rewritten.additionalProperties === undefined || rewritten.additionalProperties === true)
      rewritten.additionalProperties = { $ref: `#/components/schemas/${TEXT_JSON}` };
  }
  return rewritten;
}

const TEXT_JSON = 'TextJson';

/** Any JSON value whose strings and keys hold no NUL character and no lone surrogate. */
function textJsonSchema(): object {
  const self = { $ref: `#/components/schemas/${TEXT_JSON}` };
  return {
    description:
      'Any JSON value, nested at most 64 levels; no string or key in it may hold a NUL character or a lone surrogate.',
    anyOf: [
      { type: 'string', pattern: STORABLE_TEXT },
      { type: ['number', 'boolean', 'null'] },
      { type: 'array', items: self },
      { type: 'object', propertyNames: { pattern: STORABLE_TEXT }, additionalProperties: self },
    ],
  };
}

function problemSchema(): object {
  return {
    type: 'object',
    description: 'RFC 9457 problem details.',
    required: ['type', 'title', 'status'],
    properties: {
      type: { type: 'string', description: 'A URI naming the kind of problem.' },
      title: { type: 'string', description: 'Short summary.' },
      status: { type: 'integer', description: 'The HTTP status.' },
      detail: { type: 'string', description: 'What went wrong, naming the field.' },
      instance: { type: 'string', description: 'The request path.' },
      errors: {
        type: 'array',
        description: 'Each offending field as a JSON pointer into the body (`?name` for a query parameter).',
        items: {
          type: 'object',
          required: ['pointer', 'detail'],
          properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
        },
      },
    },
  };
}

/** The reference page: every operation, who may call it, its parameters, body and answers; no scripts. */
export function referencePage(operations: readonly Operation[]) {
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
        ${apiOperations(operations).map(
          (op) =>
            html`<section>
              <h2><code>${op.method.toUpperCase()} ${op.path}</code></h2>
              <p>${op.summary}</p>
              ${op.description ? html`<p>${op.description}</p>` : ''}
              <p>
                ${
                  'scope' in op.access
                    ? html`API key with scope <code>${op.access.scope}</code>`
                    : 'public' in op.access
                      ? html`Public: ${op.access.public}`
                      : html`Console session with scope <code>${op.access.session}</code>`
                }
                ${
                  op.body
                    ? 'json' in op.body
                      ? html` · body: ${[op.body.json].flat().map((f) => html`<code>schemas/${f}</code> `)}`
                      : 'text' in op.body
                        ? html` · body: ${op.body.text.join(' or ')}`
                        : html` · body: a form`
                    : ''
                }
              </p>
              ${
                op.query
                  ? html`<p>Query:</p>
                      <ul>
                        ${Object.entries(op.query).map(
                          ([name, spec]) => html`<li><code>${name}</code> ${spec.description}</li>`,
                        )}
                      </ul>`
                  : ''
              }
              <ul>
                ${Object.entries(answersOf(op)).map(
                  ([s, a]) => html`<li><code>${s}</code> ${a.description}</li>`,
                )}
              </ul>
            </section>`,
        )}
      </body>
    </html>`;
}
