// Lists page by keyset: `limit` (1–200, default 50) and an opaque `cursor` naming the last row seen
// (its creation time and id), so pages stay stable while rows are added.
import type { Context } from 'hono';
import type { Page } from '../db/paging.js';
import { Problem } from './problem.js';

export const MAX_LIMIT = 200;

export function pageOf(c: Context): Page {
  const limitText = c.req.query('limit');
  const limit = limitText === undefined ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
    throw queryProblem('limit', `must be a whole number from 1 to ${MAX_LIMIT}`);
  const cursor = c.req.query('cursor');
  if (cursor === undefined) return { limit };
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at)))
      return { limit, after: { at, id } };
  } catch {
    // fall through to the problem below
  }
  throw queryProblem('cursor', 'is not a cursor this API gave out; start again without it');
}

/** The page's items and the cursor of the next page (null on the last one). */
export function paged<T extends { id: string; created_at: Date | string }>(rows: T[], page: Page) {
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  const next =
    rows.length > page.limit && last
      ? Buffer.from(JSON.stringify([new Date(last.created_at).toISOString(), last.id])).toString('base64url')
      : null;
  return { items, next_cursor: next };
}

/** A query parameter that is not acceptable: 422 naming it. */
export function queryProblem(name: string, message: string): Problem {
  return Problem.validation([{ pointer: `?${name}`, message }]);
}

/** One of a fixed set of values, or undefined when the parameter is absent. */
export function queryChoice<T extends string>(
  c: Context,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const value = c.req.query(name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw queryProblem(name, `must be one of ${allowed.join(', ')}`);
  return value as T;
}
