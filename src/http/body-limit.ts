// Request bodies are limited in size. A body announced by Content-Length is judged by the header alone
// (the HTTP parser holds the client to it), so the request is not turned into a web stream here and the
// handler reads it straight from the socket; any other body (chunked, HTTP/2, in-process) is counted as
// it streams in.
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Problem } from './problem.js';

export function limitBodies(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => {
    throw new Problem(413, 'Payload too large', `Bodies are limited to ${maxBytes} bytes.`);
  };
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    // Without Transfer-Encoding, the body is exactly as long as Content-Length says.
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined)
      return Number(length) > maxBytes ? tooLarge() : next();
    return streamed(c, next);
  };
}
