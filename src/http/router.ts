// Serves a list of operations (src/http/operation.ts) on a Hono app. For each request: the guard finds
// the operation the router matched and lets it through only if the operation is public or the API key
// has its scope — a route that is not an operation, or an operation that names neither, is never served
// (default deny); a public operation that admits its caller itself (a shared secret) does so next;
// then the path, query and body are checked against the operation's schemas, the
// handler runs, and its JSON answer is checked against the schema of its status. A known path asked
// with another method answers 405 with Allow.
import type { Context, Handler, Hono, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import { compileSchema, validate, type FieldError } from '../schemas/index.js';
import { keyAuth, type AuthEnv, type KeyVerifier } from './auth.js';
import type { ApiDeps } from './deps.js';
import { honoPath, type JsonSchema, type Operation, type Parameter, type Request } from './operation.js';
import { Problem, problemResponse } from './problem.js';
import type { RequestEnv } from './request-log.js';
import { grants, type Scope } from './scopes.js';
import { unstorableFields, unstorableText } from './storable.js';

/** The operation behind each handler the router holds. */
const operationOf = new WeakMap<Handler, Operation>();

export interface RouterOptions {
  verify: KeyVerifier;
  /**
   * Lets a console request through (undefined) or answers it: to sign in, or refused (see
   * src/console/session.ts). Without it, console operations are never served.
   */
  session?: (c: Context, scope: Scope) => Promise<Response | undefined>;
  /** Applied after authentication to every operation that needs a key (per-key rate limit). */
  limit: MiddlewareHandler<RequestEnv & AuthEnv>;
  log: Logger;
  /** Answers that do not match their schema become 500s (tests); otherwise they are logged. */
  strict: boolean;
}

/** The operation the router matched for a request, if any (middleware sees it before the handler runs). */
export function matchedOperation(c: Context): Operation | undefined {
  return matchedRoutes(c)
    .filter((r) => r.method !== 'ALL')
    .map((r) => operationOf.get(r.handler))
    .find((o) => o !== undefined);
}

/** Default deny: registered first, before any route, so it sees every request. */
export function guard(options: RouterOptions): MiddlewareHandler<RequestEnv & AuthEnv> {
  const authenticate = keyAuth<RequestEnv & AuthEnv>(options.verify);
  return async (c, next) => {
    const handlers = matchedRoutes(c)
      .filter((r) => r.method !== 'ALL')
      .map((r) => r.handler);
    // Nothing matched: the not-found handler answers 404 or 405.
    if (!handlers.length) return next();
    const op = handlers.map((h) => operationOf.get(h)).find((o) => o !== undefined);
    if (op?.access && 'public' in op.access) return next();
    if (op?.access && 'session' in op.access) {
      if (!options.session) throw new Problem(403, 'Forbidden', 'The console is not served here.');
      const refused = await options.session(c, op.access.session);
      if (refused) return refused;
      return options.limit(c, next);
    }
    await authenticate(c, async () => {});
    const key = c.get('apiKey');
    const scope = op?.access && 'scope' in op.access ? op.access.scope : undefined;
    if (!scope)
      throw new Problem(
        403,
        'Forbidden',
        `${c.req.method} ${c.req.path} declares no scope: it is not served.`,
      );
    if (!grants(key.scopes, scope))
      throw new Problem(403, 'Forbidden', `The API key "${key.name}" lacks the scope ${scope}.`);
    return options.limit(c, next);
  };
}

export function serve(
  app: Hono<RequestEnv & AuthEnv>,
  operations: readonly Operation[],
  deps: ApiDeps,
  options: RouterOptions,
) {
  for (const op of operations) {
    const handler: Handler = async (c) => {
      // An operation that admits its caller itself does so before anything of the request is read.
      await op.admit?.(c, deps);
      const request = await requestOf(op, c).catch((error: unknown) => {
        if (error instanceof NoSuchPath && op.notFound) return op.notFound(c);
        throw error;
      });
      if (request instanceof Response) return request;
      const answered = watchJson(c);
      const response = await op.handle(c, request, deps);
      return checkAnswer(op, c, response, answered.value, options);
    };
    operationOf.set(handler, op);
    app.on(op.method.toUpperCase(), honoPath(op.path), handler);
  }
  const known = operations.map((op) => ({
    pattern: new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}/?$`),
    params: (op.path.match(/\{/g) ?? []).length,
    method: op.method.toUpperCase(),
  }));
  app.notFound((c) => {
    // The paths this one is: a fixed path (`/v1/playbooks/validate`) before one with parameters.
    const matching = known.filter((k) => k.pattern.test(c.req.path));
    const fewest = Math.min(...matching.map((k) => k.params));
    const allowed = [...new Set(matching.filter((k) => k.params === fewest).map((k) => k.method))];
    if (!allowed.length)
      return problemResponse(c, new Problem(404, 'Not found', `No route for ${c.req.method} ${c.req.path}.`));
    if (allowed.includes('GET')) allowed.push('HEAD');
    const problem = new Problem(
      405,
      'Method not allowed',
      `${c.req.path} answers ${allowed.join(', ')}, not ${c.req.method}.`,
    );
    problem.headers = { Allow: allowed.join(', ') };
    return problemResponse(c, problem);
  });
}

/** A path parameter that is no valid value: the resource does not exist. */
class NoSuchPath extends Error {}

async function requestOf(op: Operation, c: Context): Promise<Request> {
  const params: Record<string, string> = {};
  for (const name of op.path.match(/\{(\w+)\}/g)?.map((p) => p.slice(1, -1)) ?? []) {
    const value = c.req.param(name) ?? '';
    const spec = op.params?.[name];
    if ((spec && !validParam(spec, value)) || value.includes('\u0000')) {
      if (op.notFound) throw new NoSuchPath();
      throw Problem.notFound(`${spec?.description.replace(/ \(.*$/, '') ?? name} ${value}`);
    }
    params[name] = value;
  }
  return { params, query: queryOf(op, c), body: await bodyOf(op, c) };
}

const paramChecks = new WeakMap<Parameter, (value: unknown) => boolean>();
function validParam(spec: Parameter, value: string): boolean {
  let check = paramChecks.get(spec);
  if (!check) {
    const compiled = compileSchema(spec.schema);
    check = (v) => compiled(v).ok;
    paramChecks.set(spec, check);
  }
  return check(value);
}

const formChecks = new WeakMap<object, ReturnType<typeof compileSchema<Record<string, unknown>>>>();
const queryChecks = new WeakMap<Operation, ReturnType<typeof compileSchema<Record<string, unknown>>>>();

/**
 * The query as the operation declares it: values typed by their schema (integers, booleans), a repeated
 * parameter as a list, an empty value as absent, defaults applied. Unknown parameters are ignored.
 */
function queryOf(op: Operation, c: Context): Record<string, unknown> {
  const declared = op.query ?? {};
  const raw: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const [name, spec] of Object.entries(declared)) {
    const values = (c.req.queries(name) ?? []).filter((v) => v !== '');
    if (!values.length) continue;
    const unstorable = values.map(unstorableText).find(Boolean);
    if (unstorable) errors.push({ pointer: `?${name}`, message: unstorable });
    else if (spec.repeated) raw[name] = values.map((v) => typed(spec.schema, v));
    else if (values.length > 1) errors.push({ pointer: `?${name}`, message: 'may be given once' });
    else raw[name] = typed(spec.schema, values[0]!);
  }
  if (errors.length) throw Problem.validation(errors);
  let check = queryChecks.get(op);
  if (!check) {
    check = compileSchema<Record<string, unknown>>({
      type: 'object',
      properties: Object.fromEntries(
        Object.entries(declared).map(([name, spec]) => [
          name,
          spec.repeated ? { type: 'array', items: spec.schema } : spec.schema,
        ]),
      ),
      required: Object.entries(declared)
        .filter(([, spec]) => spec.required)
        .map(([name]) => name),
    });
    queryChecks.set(op, check);
  }
  const result = check(raw);
  if (!result.ok)
    throw Problem.validation(
      result.errors.map((e) => ({ ...e, pointer: `?${e.pointer.replace(/^\//, '')}` })),
    );
  return result.value;
}

/** A query value as its schema's type: "20" is 20 for an integer; a value that is not stays text (and fails). */
function typed(schema: Record<string, unknown>, value: string): unknown {
  const type = schema.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * A form's text fields: a field the schema declares an array (checkboxes, a multiple select) is a list of
 * every value sent; any other field sent twice stays a list, which its schema refuses, naming it.
 */
function formFields(schema: JsonSchema, parsed: Record<string, unknown>): Record<string, string | string[]> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.fromEntries(
    Object.entries(parsed).flatMap(([name, value]) => {
      const texts = [value].flat().filter((v): v is string => typeof v === 'string');
      if (!texts.length) return [];
      const list = Object.hasOwn(properties, name) && properties[name]!.type === 'array';
      return [[name, list || texts.length > 1 ? texts : texts[0]!]];
    }),
  );
}

async function bodyOf(op: Operation, c: Context): Promise<unknown> {
  const body = op.body;
  if (!body) return undefined;
  if ('form' in body) {
    const type = (c.req.header('content-type') ?? '').toLowerCase();
    if (!type.startsWith('application/x-www-form-urlencoded'))
      throw new Problem(415, 'Unsupported media type', 'Send the form as application/x-www-form-urlencoded.');
    const fields = formFields(body.form, await c.req.parseBody({ all: true }));
    const unstorable = Object.entries(fields).flatMap(([k, v]) => {
      const problem = [v].flat().map(unstorableText).find(Boolean);
      return problem ? [{ pointer: `/${k}`, message: problem }] : [];
    });
    if (unstorable.length) throw Problem.validation(unstorable);
    let check = formChecks.get(body);
    if (!check) formChecks.set(body, (check = compileSchema<Record<string, unknown>>(body.form)));
    const result = check(fields);
    if (!result.ok) throw Problem.validation(result.errors);
    return result.value;
  }
  if ('text' in body) {
    const type = c.req.header('content-type') ?? '';
    if (!body.text.some((t) => type.toLowerCase().startsWith(t)))
      throw new Problem(415, 'Unsupported media type', `Send the body as ${body.text[0]}.`);
    return c.req.text();
  }
  const text = await c.req.text();
  // An optional body may be left out: no bytes at all is `{}`.
  if (body.optional && !text.trim()) return {};
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(c.req.header('content-type') ?? ''))
    throw new Problem(415, 'Unsupported media type', 'Send the body as application/json.');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Problem(400, 'Malformed JSON', `The body is not valid JSON: ${(error as Error).message}`);
  }
  const unstorable = unstorableFields(data);
  if (unstorable.length) throw Problem.validation(unstorable);
  if (body.prepare) data = body.prepare(data);
  const result = validate(body.choose?.(data) ?? [body.json].flat()[0]!, data);
  if (!result.ok) throw Problem.validation(result.errors);
  return result.value;
}

/** Keeps the value a handler answers with as it goes out (reading the answer back would copy its stream). */
function watchJson(c: Context): { value: unknown } {
  const answered: { value: unknown } = { value: undefined };
  const json = c.json as (...args: unknown[]) => ReturnType<typeof c.json>;
  c.json = (...args: unknown[]) => {
    answered.value = args[0];
    return json(...args);
  };
  return answered;
}

function checkAnswer(
  op: Operation,
  c: Context,
  response: Response,
  value: unknown,
  options: RouterOptions,
): Response {
  const answer = op.answers[response.status];
  const where = `${op.method.toUpperCase()} ${op.path}`;
  if (!answer) return fail(`${where} answered ${response.status}, which it does not declare`);
  if (!answer.schema || value === undefined) return response;
  // As the client reads it: dates as text, undefined fields left out.
  const result = validate(answer.schema, JSON.parse(JSON.stringify(value)) as unknown);
  if (result.ok) return response;
  return fail(`${answer.schema}: ${result.errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; ')}`);

  function fail(detail: string): Response {
    options.log.error(
      { path: c.req.path, method: c.req.method, detail },
      'answer does not match its definition',
    );
    if (!options.strict) return response;
    return problemResponse(c, new Problem(500, 'Answer does not match its definition', detail));
  }
}
