// Pages that stay current: a region marked `data-live` is fetched again by the console script with
// `?fragment=<id>` and `If-None-Match`; the server answers 304 when the region has not changed, so what
// the page already shows is never sent twice.
import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { html, raw } from 'hono/html';
import type { Html } from './layout.js';

/** How often live regions look again, in seconds. */
export const LIVE_SECONDS = 10;

/** A live region: its content (already escaped markup), its ETag, and the element that carries both. */
export async function liveRegion(id: string, content: Html) {
  const text = String(await content);
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 22)}"`;
  return {
    id,
    etag,
    text,
    element: html`<div id="${id}" data-live="${LIVE_SECONDS}" data-etag="${etag}" aria-live="polite">
      ${raw(text)}
    </div>`,
  };
}

/** The answer to a fragment request, or undefined when the whole page is asked for. */
export function fragmentAnswer(c: Context, region: { id: string; etag: string; text: string }) {
  if (c.req.query('fragment') !== region.id) return undefined;
  if (c.req.header('if-none-match') === region.etag) return c.body(null, 304, { ETag: region.etag });
  return c.html(`<div id="${region.id}">${region.text}</div>`, 200, { ETag: region.etag });
}
