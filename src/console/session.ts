// Who is signed in to the console: the session cookie (httpOnly, SameSite=Lax, Secure over HTTPS) names
// a session of an API key (src/db/console-sessions.ts). Every console operation goes through the gate:
// without a session a page redirects to sign-in and a form is refused; a form must carry the session's
// CSRF token; the key's scopes decide what the person may see and do. The sign-in form, sent before
// there is a session, carries the token of a sign-in cookie instead.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { sessionOf, type ConsoleSession } from '../db/console-sessions.js';
import type { Db } from '../db/client.js';
import { grants, type Scope } from '../http/scopes.js';
import { messagePage } from './layout.js';

export const SESSION_COOKIE = 'rapport_session';
/** How long a session lasts after sign-in. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** The form field that carries the CSRF token. */
export const CSRF_FIELD = '_csrf';
/** The cookie holding the sign-in form's CSRF token, before there is a session. */
export const SIGN_IN_COOKIE = 'rapport_sign_in';
const SIGN_IN_PATH = '/sign-in';
const TOKEN = /^[\w-]{32}$/;

export type SessionEnv = { Variables: { session: ConsoleSession; apiKey: ConsoleSession['key'] } };

/** The signed-in session of a console request (set by the gate). */
export function sessionIn(c: Context): ConsoleSession {
  return (c as unknown as Context<SessionEnv>).get('session');
}

/** The session the request's cookie names, if any is still valid. */
export async function cookieSession(db: Db, c: Context): Promise<ConsoleSession | undefined> {
  const token = getCookie(c, SESSION_COOKIE);
  return token ? sessionOf(db, token) : undefined;
}

export function setSessionCookie(c: Context, token: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c),
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c) });
}

export const sessionToken = (c: Context) => getCookie(c, SESSION_COOKIE);

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

/** True when a form's token is the one expected, compared in constant time. */
function sameToken(given: unknown, expected: string | undefined): boolean {
  if (typeof given !== 'string' || !expected || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** True when the form's token is the session's. */
export async function csrfMatches(c: Context, session: ConsoleSession): Promise<boolean> {
  const form = await c.req.parseBody().catch((error: unknown) => {
    // A body that is no form (multipart without its parts, say) carries no token.
    if (error instanceof TypeError) return {};
    throw error;
  });
  return sameToken((form as Record<string, unknown>)[CSRF_FIELD], session.csrf);
}

/**
 * The sign-in form's CSRF token: a random token in the sign-in cookie (httpOnly, SameSite=Lax, for the
 * sign-in pages only), made when the browser has none, that the form repeats. Another site can make a
 * browser post the form but cannot read the cookie, so it cannot sign the browser in with its own key.
 */
export function signInToken(c: Context): string {
  const held = getCookie(c, SIGN_IN_COOKIE);
  if (held && TOKEN.test(held)) return held;
  const token = randomBytes(24).toString('base64url');
  setCookie(c, SIGN_IN_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: isHttps(c),
    path: SIGN_IN_PATH,
  });
  return token;
}

/** True when a sign-in form's token is its cookie's. */
export const signInTokenMatches = (c: Context, given: unknown) =>
  sameToken(given, getCookie(c, SIGN_IN_COOKIE));

/** Signed in: the next sign-in gets a new token. */
export function clearSignInToken(c: Context): void {
  deleteCookie(c, SIGN_IN_COOKIE, { path: SIGN_IN_PATH, secure: isHttps(c) });
}

/** The router's gate for console operations (RouterOptions.session). */
export function consoleGate(db: Db) {
  return async (c: Context, scope: Scope): Promise<Response | undefined> => {
    const session = await cookieSession(db, c);
    const reading = c.req.method === 'GET' || c.req.method === 'HEAD';
    if (!session) {
      if (reading) {
        const next = new URL(c.req.url);
        return c.redirect(`/sign-in?next=${encodeURIComponent(next.pathname + next.search)}`, 303);
      }
      return messagePage(c, 401, 'Signed out', 'Your session has ended. Sign in again, then repeat this.');
    }
    const ctx = c as unknown as Context<SessionEnv>;
    ctx.set('session', session);
    ctx.set('apiKey', session.key);
    if (!reading && !(await csrfMatches(c, session)))
      return messagePage(
        c,
        403,
        'Form expired',
        'This form is out of date. Go back, reload the page and try again.',
      );
    if (!grants(session.key.scopes, scope))
      return messagePage(
        c,
        403,
        'Not allowed',
        `The API key "${session.key.name}" you signed in with lacks the scope ${scope}.`,
      );
    return undefined;
  };
}
