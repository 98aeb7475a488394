// Reads a JSON request body and validates it against a schema, or throws the matching Problem.
import type { Context } from 'hono';
import { validate } from '../schemas/index.js';
import { Problem } from './problem.js';

/** `schema` names the schema in `schemas/`, or chooses it from the parsed body (one event or a batch). */
export async function jsonBody<T>(c: Context, schema: string | ((data: unknown) => string)): Promise<T> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new Problem(415, 'Unsupported media type', 'Send the body as application/json.');
  }
  let data: unknown;
  try {
    data = JSON.parse(await c.req.text());
  } catch (error) {
    throw new Problem(400, 'Malformed JSON', `The body is not valid JSON: ${(error as Error).message}`);
  }
  const result = validate<T>(typeof schema === 'string' ? schema : schema(data), data);
  if (!result.ok) throw Problem.validation(result.errors);
  return result.value;
}

/** Like jsonBody, for a body that may be left out: an empty body is `{}`. */
export async function optionalJsonBody<T>(c: Context, schema: string): Promise<T> {
  const text = await c.req.text();
  if (!text.trim()) return {} as T;
  return jsonBody<T>(c, schema);
}
