// Signing in to the console with an API key: the key is checked like the API's, then turned into a
// session (src/console/session.ts) so that the browser never holds the key. Signing out ends the session.
// A one-time sign-in link (`rapport up` prints one) opens a session for its key once: its page asks to
// confirm with a button, so a link previewer that fetches the URL does not use it up. The sign-in form
// carries a CSRF token (src/console/session.ts), so another site cannot sign a browser in with its key.
import { html } from 'hono/html';
import type { Context } from 'hono';
import { verifyApiKey } from '../db/api-keys.js';
import { closeSession, openSession, redeemSignInLink, signInLinkKey } from '../db/console-sessions.js';
import type { ApiDeps } from '../http/deps.js';
import { operation } from '../http/operation.js';
import { messagePage, render } from './layout.js';
import {
  clearSessionCookie,
  clearSignInToken,
  cookieSession,
  CSRF_FIELD,
  csrfMatches,
  SESSION_TTL_MS,
  sessionToken,
  setSessionCookie,
  signInToken,
  signInTokenMatches,
} from './session.js';

/** The longest key the sign-in form takes (the field stops there, the server refuses more). */
const KEY_MAX_LENGTH = 200;
/** The longest `next` the sign-in form takes back: a longer one (the page asked for) leads home. */
const NEXT_MAX_LENGTH = 2000;

/**
 * Where to go after signing in: `next` when it is a page of this site, else home. It is resolved against
 * the site's URL and kept only on the same origin, as a path. Control characters (a browser drops tabs
 * and newlines from a URL: `/\t/evil.example` is `//evil.example`) and backslashes (read as `/`) are
 * refused, and so is a path that resolves to start with `//` (`/.//evil.example`). A `next` longer than
 * the form takes back, as given or once resolved, is not kept either: the form would be refused.
 */
export function localPath(next: unknown, site: string): string {
  if (typeof next !== 'string' || next.length > NEXT_MAX_LENGTH) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return '/';
  const base = new URL(site);
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  if (url.origin !== base.origin || url.pathname.startsWith('//')) return '/';
  const path = url.pathname + url.search + url.hash;
  return path.length > NEXT_MAX_LENGTH ? '/' : path;
}

/** The site's URL `next` must stay on: the public URL, else the origin the request came to. */
const siteOf = (c: Context, deps: ApiDeps) => deps.publicUrl ?? new URL(c.req.url).origin;

function signInPage(c: Context, status: 200 | 401 | 403, next: string, error?: string) {
  return render(c, status, {
    title: 'Sign in',
    body: html`<form method="post" action="/sign-in">
      <input type="hidden" name="${CSRF_FIELD}" value="${signInToken(c)}" />
      <p>
        Sign in with an API key (<code>rapport keys create</code> makes one; the first
        <code>rapport up</code> printed one with every scope), or follow the one-time sign-in link
        <code>rapport up</code> prints at every start. The key's scopes decide what you may see and do.
      </p>
      ${error ? html`<p class="bad" role="alert" id="sign-in-error">${error}</p>` : ''}
      <input type="hidden" name="next" value="${next}" />
      <label for="key">API key</label>
      <input
        type="password"
        id="key"
        name="key"
        autocomplete="current-password"
        required
        maxlength="${KEY_MAX_LENGTH}"
        ${error ? html`aria-describedby="sign-in-error"` : ''}
      />
      <p><button type="submit">Sign in</button></p>
    </form>`,
  });
}

const PAGE = 'the sign-in page';
const LINK = {
  token: { description: 'The link’s token', schema: { type: 'string', pattern: '^[\\w-]{43}$' } },
};
const SPENT = (c: Context) =>
  messagePage(
    c,
    401,
    'Sign-in link used or expired',
    'A sign-in link works once, for a day. Sign in with an API key instead, or restart `rapport up` for a new link.',
  );

export const signInOperations = [
  operation<{ next?: string }>({
    method: 'get',
    console: true,
    path: '/sign-in',
    summary: 'The console’s sign-in page',
    access: { public: PAGE },
    query: { next: { description: 'Where to go after signing in', schema: { type: 'string' } } },
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: (c, { query }, deps) => signInPage(c, 200, localPath(query.next, siteOf(c, deps))),
  }),
  operation<Record<string, unknown>, { key: string; next?: string; _csrf?: string }>({
    method: 'post',
    console: true,
    path: '/sign-in',
    summary: 'Signs in with an API key: a session cookie, then the page asked for',
    access: { public: PAGE },
    body: {
      form: {
        type: 'object',
        properties: {
          key: { type: 'string', maxLength: KEY_MAX_LENGTH },
          next: { type: 'string', maxLength: NEXT_MAX_LENGTH },
          _csrf: { type: 'string' },
        },
        required: ['key'],
      },
    },
    answers: {
      303: { description: 'Signed in: to the page asked for' },
      401: { description: 'The key is unknown or revoked: the page again', mediaType: 'text/html' },
      403: {
        description: 'The form lacks its sign-in cookie’s CSRF token: the page again, nobody signed in',
        mediaType: 'text/html',
      },
    },
    handle: async (c, { body }, deps) => {
      const next = localPath(body.next, siteOf(c, deps));
      // Another site's form cannot sign this browser in: the key is not even looked at.
      if (!signInTokenMatches(c, body._csrf))
        return signInPage(c, 403, next, 'This form is out of date. Enter the key again.');
      const key = await verifyApiKey(deps.sql, body.key.trim());
      if (!key) return signInPage(c, 401, next, 'That API key is unknown or revoked.');
      const session = await openSession(deps.sql, key.id, SESSION_TTL_MS);
      setSessionCookie(c, session.token, session.expiresAt);
      clearSignInToken(c);
      return c.redirect(next, 303);
    },
  }),
  operation({
    method: 'post',
    console: true,
    path: '/sign-out',
    summary: 'Ends the console session',
    access: { public: 'ends the session its cookie names, if the form is the session’s own' },
    answers: { 303: { description: 'Signed out: to the sign-in page' } },
    handle: async (c, _request, deps) => {
      const session = await cookieSession(deps.sql, c);
      const token = sessionToken(c);
      // Another site cannot sign you out: the form must carry the session's token.
      if (session && token && !(await csrfMatches(c, session))) return c.redirect('/', 303);
      if (token) await closeSession(deps.sql, token);
      clearSessionCookie(c);
      return c.redirect('/sign-in', 303);
    },
  }),
  operation({
    method: 'get',
    console: true,
    path: '/sign-in/link/{token}',
    summary: 'A one-time sign-in link: the key it signs in with, and a button to continue',
    access: { public: 'the link is the credential; this page only shows which key it is for' },
    params: LINK,
    answers: {
      200: { description: 'The page', mediaType: 'text/html' },
      401: { description: 'Used, expired, or its key revoked', mediaType: 'text/html' },
    },
    notFound: SPENT,
    handle: async (c, { params }, deps) => {
      const key = await signInLinkKey(deps.sql, params.token!);
      if (!key) return SPENT(c);
      return render(c, 200, {
        title: 'Sign in',
        body: html`<form method="post" action="/sign-in/link/${params.token!}">
          <p>
            This link signs you in once with the key
            <strong>${key.name}</strong> (<code>${key.prefix}</code>).
          </p>
          <p><button type="submit">Sign in</button></p>
        </form>`,
      });
    },
  }),
  operation({
    method: 'post',
    console: true,
    path: '/sign-in/link/{token}',
    summary: 'Uses a one-time sign-in link: a session cookie, then the attention page',
    access: { public: 'the link is the credential, used once' },
    params: LINK,
    answers: {
      303: { description: 'Signed in: to the attention page' },
      401: { description: 'Used, expired, or its key revoked', mediaType: 'text/html' },
    },
    notFound: SPENT,
    handle: async (c, { params }, deps) => {
      // One transaction: a link is used up only by the session it opens.
      const session = await deps.sql.begin(async (tx) => {
        const keyId = await redeemSignInLink(tx, params.token!);
        return keyId && openSession(tx, keyId, SESSION_TTL_MS);
      });
      if (!session) return SPENT(c);
      setSessionCookie(c, session.token, session.expiresAt);
      return c.redirect('/', 303);
    },
  }),
];
