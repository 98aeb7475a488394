// Request bodies are limited in size, on every route: an HTML form (the console's forms, sign-in, the
// link pages candidates confirm) to MAX_FORM_BYTES, any other body (the API's JSON, a playbook's YAML,
// inbound mail) to MAX_BODY_BYTES. A body announced by Content-Length is judged by the header alone (the
// HTTP parser holds the client to it), so the request is not turned into a web stream here and the
// handler reads it straight from the socket; any other body (chunked, HTTP/2, in-process) is counted as
// it streams in.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Operation } from './operation.js';
import { Problem } from './problem.js';

/** The largest body of the API: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** The largest body of an HTML form: 64 KiB. */
export const MAX_FORM_BYTES = 64 * 1024;

/** The answer to a body over the limit; without one, 413 problem+json. */
export type TooLarge = (c: Context) => Response | Promise<Response>;

export function limitBodies(maxBytes: number, answer?: TooLarge): MiddlewareHandler {
  const tooLarge: TooLarge =
    answer ??
    (() => {
      throw new Problem(413, 'Payload too large', `Bodies are limited to ${maxBytes} bytes.`);
    });
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    // Without Transfer-Encoding, the body is exactly as long as Content-Length says.
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined)
      return Number(length) > maxBytes ? tooLarge(c) : next();
    return streamed(c, next);
  };
}

/**
 * Whether browsers post HTML forms to an operation: the console's pages and forms (sign-in included),
 * and the pages that answer HTML (a candidate's unsubscribe and answer links).
 */
export function takesForms(op: Operation): boolean {
  return (
    op.console === true ||
    // An operation without access is never served (default deny), but is still limited.
    (op.access !== undefined && 'session' in op.access) ||
    Object.values(op.answers).some((answer) => answer.mediaType === 'text/html')
  );
}
