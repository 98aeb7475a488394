// Lists page by keyset: `limit` (1–200, default 50, typed and checked by the operation's query schema)
// and an opaque `cursor` naming the last row seen (its creation time and id), so pages stay stable while
// rows are added.
import type { Page } from '../db/paging.js';
import { Problem } from './problem.js';

export const MAX_LIMIT = 200;

/** The page parameters as the router gives them (PAGE_QUERY in src/http/operation.ts). */
export interface PageQuery {
  limit?: number;
  cursor?: string;
}

export function pageOf(query: PageQuery): Page {
  const limit = query.limit ?? 50;
  const cursor = query.cursor;
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
