// The console over HTTP, as a browser would use it: sign-in turns an API key into a session cookie, pages
// need it, forms need its CSRF token, the key's scopes decide what is shown and allowed, and candidate
// data is always text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../src/db/api-keys.js';
import { upsertCandidate } from '../../src/db/candidates.js';
import { createSignInLink } from '../../src/db/console-sessions.js';
import { postSignIn, signInForm } from '../helpers/console.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

async function signIn(scopes: string[], name = 'recruiter') {
  const { key, prefix } = await createApiKey(stack.db.sql, { name, scopes });
  const res = await postSignIn(stack.rawApp, key, '/');
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie') ?? '';
  return { key, prefix, cookie: cookie.split(';')[0]!, setCookie: cookie };
}

const page = (path: string, cookie: string, init: RequestInit = {}) =>
  stack.rawApp.request(path, { ...init, headers: { ...(init.headers as object), cookie } });

/** Employment status comes from events and playbooks; the tests set it directly. */
const openToWork = (id: string) =>
  stack.db.sql`update candidates set employment_status = 'open', updated_at = now() where id = ${id}`;

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

describe('the console', () => {
  it('sends a visitor without a session to sign in, then where they were going', async () => {
    const res = await stack.rawApp.request('/?x=1');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?next=%2F%3Fx%3D1');
    const signInPage = await stack.rawApp.request('/sign-in?next=%2F');
    expect(signInPage.status).toBe(200);
    expect(await signInPage.text()).toContain('<input type="hidden" name="next" value="/"');
  });

  it('turns a valid key into an httpOnly, SameSite=Lax session cookie, and refuses an unknown one', async () => {
    const refused = await postSignIn(stack.rawApp, 'rk_000000000000_nope');
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('That API key is unknown or revoked.');
    const { setCookie } = await signIn(['*']);
    expect(setCookie).toMatch(/^rapport_session=[\w-]{43}; /);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Expires=/);
  });

  it.each([
    ['a tab that browsers drop', '/\t/evil.example', '/'],
    ['a newline', '/\n/evil.example', '/'],
    ['another site, scheme-relative', '//evil.example/', '/'],
    ['a backslash', '/\\evil.example', '/'],
    ['another site', 'https://evil.example/', '/'],
    ['a path that resolves to start with //', '/.//evil.example', '/'],
    ['javascript:', 'javascript:alert(1)', '/'],
    ['a page of this site', '/candidates?x=1', '/candidates?x=1'],
  ])('never sends a visitor off the site after sign-in: %s', async (_case, next, location) => {
    const { key } = await createApiKey(stack.db.sql, { name: 'n', scopes: ['*'] });
    expect((await postSignIn(stack.rawApp, key, next)).headers.get('location')).toBe(location);
  });

  it('keeps only a page of this site as where to go in the sign-in form', async () => {
    const tab = await (await stack.rawApp.request('/sign-in?next=/%09/evil.example')).text();
    expect(tab).toContain('<input type="hidden" name="next" value="/"');
    const kept = await (await stack.rawApp.request('/sign-in?next=%2Fcandidates%3Fx%3D1')).text();
    expect(kept).toContain('<input type="hidden" name="next" value="/candidates?x=1"');
  });

  it('refuses a sign-in form without its CSRF token, signing nobody in', async () => {
    const { key } = await createApiKey(stack.db.sql, { name: 'csrf', scopes: ['*'] });
    const { cookie, csrf } = await signInForm(stack.rawApp);
    expect(cookie).toMatch(/^rapport_sign_in=[\w-]{32}$/);
    const attempts: [string, RequestInit][] = [
      ['no token, no cookie (another site’s form)', form({ key })],
      ['no token', { ...form({ key }), headers: { ...form({}).headers, cookie } }],
      ['a token but no cookie', form({ key, _csrf: csrf })],
      [
        'a forged token',
        { ...form({ key, _csrf: 'x'.repeat(32) }), headers: { ...form({}).headers, cookie } },
      ],
    ];
    for (const [name, init] of attempts) {
      const res = await stack.rawApp.request('/sign-in', init);
      expect(res.status, name).toBe(403);
      expect(res.headers.get('set-cookie') ?? '', name).not.toContain('rapport_session=');
      expect(await res.text(), name).toContain('This form is out of date.');
    }
    const signedIn = await stack.rawApp.request('/sign-in', {
      ...form({ key, _csrf: csrf }),
      headers: { ...form({}).headers, cookie },
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('set-cookie')).toMatch(/^rapport_session=/);
  });

  it('serves pages under a strict Content-Security-Policy, never cached', async () => {
    const { cookie } = await signIn(['*']);
    const res = await page('/', cookie);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const body = await res.text();
    expect(body).not.toMatch(/<script>|<script [^s]|style="/);
    expect((await stack.rawApp.request('/console/console.js')).status).toBe(200);
  });

  it('shows candidate data as text, whatever it holds', async () => {
    const { id } = await upsertCandidate(
      stack.db.sql,
      { email: 'xss@example.com', first_name: '<img src=x onerror=alert(1)>' },
      'api',
    );
    await openToWork(id);
    const { cookie } = await signIn(['*']);
    const body = await (await page('/', cookie)).text();
    expect(body).toContain(`<a href="/candidates/${id}">&lt;img src=x onerror=alert(1)&gt;</a>`);
    expect(body).not.toContain('<img src=x');
  });

  it('answers a live region again only when it changed', async () => {
    const { cookie } = await signIn(['*']);
    const first = await page('/?fragment=attention', cookie);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect((await first.text()).startsWith('<div id="attention">')).toBe(true);
    const same = await page('/?fragment=attention', cookie, { headers: { 'if-none-match': etag } });
    expect(same.status).toBe(304);
    await openToWork((await upsertCandidate(stack.db.sql, { email: 'new@example.com' }, 'api')).id);
    const changed = await page('/?fragment=attention', cookie, { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
  });

  it('refuses a form without the session’s CSRF token', async () => {
    const { cookie } = await signIn(['*']);
    const home = await (await page('/', cookie)).text();
    const forged = await page('/sign-out', cookie, form({ _csrf: 'forged' }));
    expect(forged.headers.get('location')).toBe('/');
    expect((await page('/', cookie)).status).toBe(200);
    const real = await page('/sign-out', cookie, form({ _csrf: csrfOf(home) }));
    expect(real.headers.get('location')).toBe('/sign-in');
    expect((await page('/', cookie)).status).toBe(303);
  });

  it('ends the session when its key is revoked', async () => {
    const { cookie, prefix } = await signIn(['*']);
    expect((await page('/', cookie)).status).toBe(200);
    await revokeApiKey(stack.db.sql, prefix);
    expect((await page('/', cookie)).status).toBe(303);
  });

  it('counts the funnel: candidates per stage now and those who entered it lately', async () => {
    for (const [email, stage] of [
      ['f1@example.com', 'attract'],
      ['f2@example.com', 'attract'],
      ['f3@example.com', 'engage'],
    ] as const) {
      const { id } = await upsertCandidate(stack.db.sql, { email }, 'api');
      await stack.db.sql`update candidates set stage = ${stage} where id = ${id}`;
    }
    const { cookie } = await signIn(['candidates:read']);
    const body = await (await page('/funnel', cookie)).text();
    const row = (stage: string) =>
      new RegExp(
        `<a href="/candidates\\?stage=${stage}">${stage}</a></th>\\s*<td>(\\d+)</td>\\s*<td>(\\d+)</td>\\s*<td>([^<]+)</td>`,
      )
        .exec(body)
        ?.slice(1);
    expect(row('attract')).toEqual(['2', '2', '—']);
    expect(row('engage')).toEqual(['1', '1', '50%']);
  });

  it('signs in once with a one-time link, never with a used, expired or revoked one', async () => {
    const key = await createApiKey(stack.db.sql, { name: 'local', scopes: ['*'] });
    const token = await createSignInLink(stack.db.sql, key.id, 60_000);
    const shown = await stack.rawApp.request(`/sign-in/link/${token}`);
    expect(shown.status).toBe(200);
    // Only showing the page uses nothing up (a link previewer may fetch it).
    expect((await stack.rawApp.request(`/sign-in/link/${token}`)).status).toBe(200);
    const used = await stack.rawApp.request(`/sign-in/link/${token}`, { method: 'POST' });
    expect(used.status).toBe(303);
    expect(used.headers.get('location')).toBe('/');
    const cookie = (used.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await page('/', cookie)).status).toBe(200);
    const again = await stack.rawApp.request(`/sign-in/link/${token}`, { method: 'POST' });
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain('A sign-in link works once');
    const expired = await createSignInLink(stack.db.sql, key.id, -1);
    expect((await stack.rawApp.request(`/sign-in/link/${expired}`, { method: 'POST' })).status).toBe(401);
    const beforeRevoke = await createSignInLink(stack.db.sql, key.id, 60_000);
    await revokeApiKey(stack.db.sql, key.prefix);
    expect((await stack.rawApp.request(`/sign-in/link/${beforeRevoke}`)).status).toBe(401);
    expect((await stack.rawApp.request(`/sign-in/link/${beforeRevoke}`, { method: 'POST' })).status).toBe(
      401,
    );
    expect((await stack.rawApp.request('/sign-in/link/not-a-token')).status).toBe(401);
  });

  it('lets a key see only what its scopes allow', async () => {
    const { cookie } = await signIn(['events:write'], 'ingest-only');
    const res = await page('/', cookie);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('lacks the scope candidates:read');
  });
});
