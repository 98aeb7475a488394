// Signing in to the console with an API key: the key is checked like the API's, then turned into a
// session (src/console/session.ts) so that the browser never holds the key. Signing out ends the session.
// A one-time sign-in link (`rapport up` prints one) opens a session for its key once: its page asks to
// confirm with a button, so a link previewer that fetches the URL does not use it up.
import { html } from 'hono/html';
import type { Context } from 'hono';
import { verifyApiKey } from '../db/api-keys.js';
import { closeSession, openSession, redeemSignInLink, signInLinkKey } from '../db/console-sessions.js';
import { operation } from '../http/operation.js';
import { messagePage, render } from './layout.js';
import {
  clearSessionCookie,
  cookieSession,
  csrfMatches,
  SESSION_TTL_MS,
  sessionToken,
  setSessionCookie,
} from './session.js';

/** Only a path of this site: a `next` that leads elsewhere (`//evil.example`) goes home instead. */
export function localPath(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

function signInPage(c: Context, status: 200 | 401, next: string, error?: string) {
  return render(c, status, {
    title: 'Sign in',
    body: html`<form method="post" action="/sign-in">
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
    handle: (c, { query }) => signInPage(c, 200, localPath(query.next)),
  }),
  operation<Record<string, unknown>, { key: string; next?: string }>({
    method: 'post',
    console: true,
    path: '/sign-in',
    summary: 'Signs in with an API key: a session cookie, then the page asked for',
    access: { public: PAGE },
    body: {
      form: {
        type: 'object',
        properties: { key: { type: 'string', maxLength: 200 }, next: { type: 'string', maxLength: 2000 } },
        required: ['key'],
      },
    },
    answers: {
      303: { description: 'Signed in: to the page asked for' },
      401: { description: 'The key is unknown or revoked: the page again', mediaType: 'text/html' },
    },
    handle: async (c, { body }, deps) => {
      const next = localPath(body.next);
      const key = await verifyApiKey(deps.sql, body.key.trim());
      if (!key) return signInPage(c, 401, next, 'That API key is unknown or revoked.');
      const session = await openSession(deps.sql, key.id, SESSION_TTL_MS);
      setSessionCookie(c, session.token, session.expiresAt);
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
