// RFC 9457 problem details: the one error shape of the API, produced in one place (the app's onError).
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { FieldError } from '../schemas/index.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** For validation failures: each offending field as a JSON pointer into the request body. */
  errors?: { pointer: string; detail: string }[];
}

export class Problem extends Error {
  /** Headers the answer carries besides the problem (such as Retry-After). */
  headers?: Record<string, string>;

  constructor(
    readonly status: ContentfulStatusCode,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly slug: string = title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
  ) {
    super(detail ?? title);
    this.name = 'Problem';
  }

  static validation(errors: FieldError[]): Problem {
    const first = errors[0];
    const detail = first ? `${first.pointer} ${first.message}` : 'The request body is invalid.';
    return new Problem(422, 'Validation failed', detail, errors, 'validation-failed');
  }

  /** A request naming something that does not exist (a playbook, a pool): 404, naming each field. */
  static missing(errors: FieldError[]): Problem {
    const first = errors[0];
    const detail = first ? `${first.pointer} ${first.message}` : 'What the request names does not exist.';
    return new Problem(404, 'Not found', detail, errors, 'not-found');
  }

  static notFound(what: string): Problem {
    return new Problem(404, 'Not found', `${what} does not exist.`);
  }
}

export function problemResponse(c: Context, problem: Problem) {
  const body: ProblemBody = {
    type: `https://rapport.dev/problems/${problem.slug}`,
    title: problem.title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    instance: c.req.path,
    ...(problem.errors
      ? { errors: problem.errors.map((e) => ({ pointer: e.pointer, detail: e.message })) }
      : {}),
  };
  return c.body(JSON.stringify(body), problem.status, {
    ...problem.headers,
    'content-type': 'application/problem+json',
  });
}
