// Signing in to the console as a browser does: the sign-in page first (it sets the sign-in cookie and
// puts its CSRF token in the form), then the form with the key, the token and the cookie.
export interface RequestsApp {
  request(url: string, init?: RequestInit): Response | Promise<Response>;
}

/** The sign-in page's CSRF cookie (`name=value`) and the token its form carries. */
export async function signInForm(app: RequestsApp): Promise<{ cookie: string; csrf: string }> {
  const page = await app.request('/sign-in');
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return { cookie, csrf };
}

/** Posts the sign-in form with the key (and `next`); the answer carries the session cookie. */
export async function postSignIn(app: RequestsApp, key: string, next?: string): Promise<Response> {
  const { cookie, csrf } = await signInForm(app);
  return app.request('/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ key, _csrf: csrf, ...(next === undefined ? {} : { next }) }).toString(),
  });
}
