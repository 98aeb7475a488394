// One definition per HTTP operation: method, path, who may call it, the schemas of its path, query and
// body, every answer it can give, and its handler. The router, authentication (default deny), request
// validation, the response check, /openapi.json and the reference page are all derived from these
// objects (src/http/router.ts, src/http/openapi.ts); nothing else restates a route.
import type { Context } from 'hono';
import type { ApiDeps } from './deps.js';
import { CURSOR_PATTERN, MAX_LIMIT } from './paging.js';
import type { Scope } from './scopes.js';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** A JSON Schema (draft 2020-12), inline, or a `$ref` to a file of `schemas/`. */
export type JsonSchema = Record<string, unknown>;

/**
 * Who may call: an API key with a scope; a person signed in to the console whose key has the scope
 * (`session`: a page or a form, CSRF-checked); or anyone (`public`, with the reason: a signed link, a
 * signed webhook, a probe). An operation without one of these is never served.
 */
export type Access = { scope: Scope } | { session: Scope } | { public: string };

export interface Parameter {
  description: string;
  schema: JsonSchema;
  /** A query parameter that may be given more than once (`?tag=a&tag=b`): its value is a list. */
  repeated?: boolean;
  required?: boolean;
}

export type Body =
  /** JSON validated against `schemas/<file>`; `choose` picks the file from the parsed body when several. */
  | {
      json: string | readonly string[];
      choose?: (data: unknown) => string;
      /** Reads a provider's own shape into the schema's (an inbound-mail provider's JSON, say). */
      prepare?: (data: unknown) => unknown;
      optional?: boolean;
    }
  /** Text of one of these media types, read by the handler (a YAML playbook). */
  | { text: readonly string[]; description: string }
  /** An HTML form (application/x-www-form-urlencoded), its fields checked against this schema. */
  | { form: JsonSchema };

export interface Answer {
  description: string;
  /** The JSON body's schema in `schemas/`; answers of 400 and above are problem+json. */
  schema?: string;
  /** A body that is not JSON: its media type (HTML pages, Prometheus text). */
  mediaType?: string;
  headers?: Record<string, string>;
  /**
   * Operations this answer leads to (OpenAPI links, followed by stateful contract tests): the key names
   * the link; `to` is `<method> <path>` of the operation; `with` maps its parameters to runtime
   * expressions such as `$response.body#/id`.
   */
  links?: Record<string, { to: string; with: Record<string, string> }>;
}

export interface Request<Q = Record<string, unknown>, B = unknown> {
  params: Record<string, string>;
  query: Q;
  body: B;
}

export interface Operation<Q = Record<string, unknown>, B = unknown> {
  method: Method;
  /** The path in OpenAPI form: `/v1/candidates/{id}`. */
  path: string;
  summary: string;
  description?: string;
  access: Access;
  /** Each `{name}` of the path; undeclared ones are plain strings. A value that fails its schema is 404. */
  params?: Record<string, Parameter>;
  query?: Record<string, Parameter>;
  body?: Body;
  /** Every answer the handler gives; the router adds the ones it gives itself (401, 415, 422, …). */
  answers: Record<number, Answer>;
  /**
   * Runs before the request is read, for a public operation that admits its caller itself (a shared
   * secret, a rate): throws a Problem to refuse.
   */
  admit?(c: Context, deps: ApiDeps): void | Promise<void>;
  handle(c: Context, request: Request<Q, B>, deps: ApiDeps): Response | Promise<Response>;
  /** A page, form or asset of the console: served and guarded like the rest, left out of the API's document. */
  console?: true;
  /** Needs neither PostgreSQL nor Temporal (health, documentation): never refused for their outage. */
  standalone?: true;
  /** The answer to a path parameter that is no valid value (default: a 404 problem); pages answer HTML. */
  notFound?(c: Context): Response | Promise<Response>;
}

/** Declares an operation, typing its request; the object itself is what every layer reads. */
export function operation<Q = Record<string, unknown>, B = unknown>(op: Operation<Q, B>): Operation {
  return op as unknown as Operation;
}

/** A path id that is a UUID; another value is an unknown resource (404), not a bad request. */
export const UUID_PARAM: Parameter = {
  description: 'Its id (UUID)',
  schema: { type: 'string', format: 'uuid' },
};

/** `limit` and `cursor` of every list. */
export const PAGE_QUERY: Record<string, Parameter> = {
  limit: {
    description: 'Page size',
    schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50 },
  },
  cursor: {
    description: '`next_cursor` of the previous page',
    schema: { type: 'string', pattern: CURSOR_PATTERN },
  },
};

/** The Hono form of an OpenAPI path: `/v1/candidates/:id`. */
export const honoPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** The 503 of an operation on a workflow whose earlier events wait for Temporal (src/intake/event-delivery.ts). */
export const BEHIND = 'The workflow’s earlier events still wait for the workflow service; nothing changed';
