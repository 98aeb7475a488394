// Lists page by keyset: `limit` (1–200, default 50, typed and checked by the operation's query schema)
// and a `cursor` naming the last row seen — its creation time (epoch milliseconds) and id, as
// `<ms>.<uuid>` — so pages stay stable while rows are added. Clients pass it back as they got it; its
// form is in the schema (CURSOR), so any cursor the schema accepts is one the API can follow.
import type { Page } from '../db/paging.js';

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
  const [ms, id] = cursor.split('.') as [string, string];
  return { limit, after: { at: new Date(Number(ms)).toISOString(), id } };
}

/** The form of a cursor: `<epoch ms>.<uuid>` (the schema checks it before pageOf reads it). */
export const CURSOR_PATTERN = '^[0-9]{1,13}\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** The page's items and the cursor of the next page (null on the last one). */
export function paged<T extends { id: string; created_at: Date | string }>(rows: T[], page: Page) {
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  const next = rows.length > page.limit && last ? `${new Date(last.created_at).getTime()}.${last.id}` : null;
  return { items, next_cursor: next };
}
