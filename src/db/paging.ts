// Keyset paging for lists, newest first: a page is a size and, after the first, the last row seen (its
// time and id). The API turns it into `limit` and an opaque `cursor` (src/http/paging.ts).
import type { Db } from './client.js';

export interface Page {
  limit: number;
  after?: { at: string; id: string } | undefined;
}

/** `and (<column>, id) < (last seen)` on pages after the first; nothing on the first. */
export function afterCursor(db: Db, page: Page, column: 'created_at' | 'opened_at' = 'created_at') {
  return page.after
    ? db`and (${db(column)}, id) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)`
    : db``;
}
