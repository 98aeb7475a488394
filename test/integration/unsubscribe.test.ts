// Every email carries a one-click unsubscribe link (RFC 8058); the public page confirms, the POST
// unsubscribes once, and a forged or tampered link does nothing and redirects nowhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('unsubscribing from an email', () => {
  it('takes one click on the List-Unsubscribe link, once', async () => {
    const res = await stack.app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'candidate.applied',
        candidate: { email: 'optout@example.com', first_name: 'Opt' },
      }),
    });
    const { candidate_id } = (await res.json()) as { candidate_id: string };
    const mail = await stack.smtp.waitFor((m) => m.to.includes('optout@example.com'));
    // The raw headers, as a mail client reads them (long ones folded onto the next line).
    const headers = mail.raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const url = /^List-Unsubscribe: <http:\/\/rapport\.test(\/u\/[A-Za-z0-9_.-]+)>$/m.exec(headers)?.[1];
    expect(url).toBeDefined();

    const confirm = await stack.rawApp.request(url!);
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain('Unsubscribe?');
    expect(page).toContain('o…@example.com');
    expect(page).not.toContain('optout@example.com');

    const oneClick = () =>
      stack.rawApp.request(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
    expect((await oneClick()).status).toBe(200);
    expect((await oneClick()).status).toBe(200);
    const [row] = await stack.db.sql<{ unsubscribed: boolean; events: number }[]>`
      select unsubscribed_at is not null as unsubscribed,
        (select count(*)::int from events where candidate_id = ${candidate_id} and type = 'candidate.unsubscribed') as events
      from candidates where id = ${candidate_id}`;
    expect(row).toEqual({ unsubscribed: true, events: 1 });
    expect(await (await stack.rawApp.request(url!)).text()).toContain('You are unsubscribed');
  });

  it.each([
    ['a forged token', '/u/eyJrIjoidSIsIm0iOiJ4In0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a token with a header injected', '/u/abc%0d%0aLocation:%20https://evil.example'],
    ['no token', '/u/'],
  ])('does nothing for %s, and never redirects', async (_name, path) => {
    for (const method of ['GET', 'POST']) {
      const res = await stack.rawApp.request(path, { method });
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
    }
  });
});
