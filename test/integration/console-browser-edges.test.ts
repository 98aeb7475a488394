// The console's newer pages in a real browser (Debian's Chromium through playwright-core) against the real
// stack, on a desktop (1366×800) and on a phone (390×844): a message whose delivery is unknown found on
// the attention list and sent again, once; a recruiting event with more guests than one page, paged with
// the keyboard and a tap; signing in (the CSRF token in the form, a hostile `next` that stays on the site,
// a wrong key told plainly). On the phone no page scrolls sideways and every control used is on screen.
// Screenshots of each page at each width go to test/artifacts/ (`<page>-desktop.png`, `<page>-phone.png`).
import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/db/api-keys.js';
import { answerRsvp } from '../../src/db/recruiting-events.js';
import { listen } from '../../src/http/listen.js';
import { launchBrowser, screenshot, seriousViolations } from '../helpers/browser.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { unknownMessage } from '../helpers/unknown-message.js';

const WIDTHS = {
  desktop: { viewport: { width: 1366, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
} as const;
type Width = keyof typeof WIDTHS;

let stack: Stack;
let server: ServerType;
let base: string;
let browser: Browser;
let recruiterKey: string;
const contexts: BrowserContext[] = [];
const dialogs: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  server = await listen(stack.rawApp.fetch, 0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  ({ key: recruiterKey } = await createApiKey(stack.db.sql, { name: 'Sam (recruiter)', scopes: ['*'] }));
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.stop();
});

/** A fresh browser at this width, nobody signed in; any dialog a page opens is noted and dismissed. */
async function freshPage(width: Width): Promise<Page> {
  const context = await browser.newContext(WIDTHS[width]);
  contexts.push(context);
  const page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return page;
}

/** A browser at this width signed in as the recruiter, on the attention list. */
async function signedIn(width: Width): Promise<Page> {
  const page = await freshPage(width);
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('API key').fill(recruiterKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
  return page;
}

/**
 * How wide the page is against the width of the browser: a page wider than a phone makes it scroll
 * sideways, or (as a phone browser does) zoom the whole page out. With the elements that reach past the
 * right edge, outermost first, for the failure message.
 */
async function widths(page: Page, width: number) {
  return page.evaluate<{ inner: number; scroll: number; past: string[] }>(`(() => {
    const past = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > ${width} + 0.5)
      .filter((el) => el.parentElement.getBoundingClientRect().right <= ${width} + 0.5)
      .slice(0, 8)
      .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' to ' +
        Math.round(el.getBoundingClientRect().right) + 'px: ' + (el.textContent || '').trim().slice(0, 40));
    return { inner: window.innerWidth, scroll: document.documentElement.scrollWidth, past };
  })()`);
}

/** The page fits the width of the browser, and `control` is on screen within it. */
async function usableAt(page: Page, width: Width, control: Locator) {
  const wide = WIDTHS[width].viewport.width;
  const { inner, scroll, past } = await widths(page, wide);
  const why = `${new URL(page.url()).pathname} is wider than ${wide}px: ${past.join('; ')}`;
  expect(inner, why).toBe(wide);
  expect(scroll, why).toBeLessThanOrEqual(inner);
  await control.scrollIntoViewIfNeeded();
  expect(await control.isVisible()).toBe(true);
  const box = (await control.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(inner);
}

const deliveredTo = (email: string) => stack.smtp.received.filter((m) => m.to.includes(email));

describe('a message whose delivery is unknown, sent again from the console', () => {
  for (const width of ['desktop', 'phone'] as const)
    it(`is found on the attention list, opened and sent again once (${width})`, async () => {
      const m = await unknownMessage(stack, width);
      expect(deliveredTo(m.email)).toHaveLength(1);
      const page = await signedIn(width);

      // On the attention list, under the messages not delivered, linking to the message.
      const undelivered = page.getByRole('region', { name: /Messages not delivered/ });
      const link = undelivered.locator(`a[href="/messages/${m.messageId}"]`);
      expect(await link.count()).toBe(1);
      expect(await undelivered.getByRole('row', { name: /unknown/ }).count()).toBe(1);
      await screenshot(page, `attention-unknown-${width}`);
      expect(await seriousViolations(page)).toEqual([]);
      await usableAt(page, width, page.getByRole('button', { name: /^Send again:/ }));

      // Its page says what happened and what sending again risks.
      await link.click();
      await page.waitForURL(`${base}/messages/${m.messageId}`);
      expect(await page.getByText('Delivery outcome unknown').count()).toBe(1);
      const again = page.getByRole('button', { name: /^Send again:/ });
      expect(await again.count()).toBe(1);
      expect(
        await page.getByText('The candidate may already have it and receive it twice.').isVisible(),
      ).toBe(true);
      const email = page.frameLocator('iframe.email');
      await expect.poll(() => email.locator('body').innerText()).toContain('Thank you for applying');
      // Chromium paints a framed email only once it has been on screen: scrolled to, for the screenshot.
      await page.locator('iframe.email').scrollIntoViewIfNeeded();
      await screenshot(page, `message-unknown-${width}`);
      expect(await seriousViolations(page)).toEqual([]);
      await usableAt(page, width, again);

      // Sent again: the page of the new message, which goes out once.
      await again.click();
      await page.waitForURL(/\/messages\/[0-9a-f-]{36}$/);
      const newId = new URL(page.url()).pathname.split('/')[2]!;
      expect(newId).not.toBe(m.messageId);
      expect(await page.getByRole('link', { name: 'The message whose delivery was unknown' }).count()).toBe(
        1,
      );
      await expect
        .poll(
          async () => {
            await page.reload();
            return (await page.locator('dl.profile dd').first().innerText()).split('\n')[0];
          },
          { timeout: 30_000 },
        )
        .toBe('Sent');
      await expect.poll(() => email.locator('body').innerText()).toContain('Thank you for applying');
      expect(await page.locator('dl.profile dd').first().innerText()).toContain(
        'sent again by Sam (recruiter)',
      );
      await screenshot(page, `message-sent-again-${width}`);
      await stack.smtp.waitFor((mail) => String(mail.headers.get('x-rapport-message')) === newId);
      await new Promise((r) => setTimeout(r, 300));
      const copies = deliveredTo(m.email).filter(
        (mail) => String(mail.headers.get('x-rapport-message')) === newId,
      );
      expect(copies).toHaveLength(1);
      expect(deliveredTo(m.email)).toHaveLength(2);

      // The first message points to the new one, offers no second try, and left the attention list.
      await page.getByRole('link', { name: 'The message whose delivery was unknown' }).click();
      await page.waitForURL(`${base}/messages/${m.messageId}`);
      expect(await page.getByRole('link', { name: 'As this message' }).getAttribute('href')).toBe(
        `/messages/${newId}`,
      );
      expect(await page.getByRole('button', { name: /^Send again/ }).count()).toBe(0);
      await page.goto(`${base}/`);
      expect(await page.locator(`a[href="/messages/${m.messageId}"]`).count()).toBe(0);
      expect(await page.getByRole('button', { name: /^Send again/ }).count()).toBe(0);
      expect(dialogs).toEqual([]);
      await page.context().close();
    });
});

describe('a recruiting event with more guests than one page', () => {
  let eventId: string;

  beforeAll(async () => {
    const [event] = await stack.db.sql<{ id: string }[]>`
      insert into recruiting_events (name, title, kind, starts_at, ends_at, timezone, location, capacity)
      values ('crowded-meetup', 'Crowded meetup', 'meetup', now() + interval '1 day',
        now() + interval '1 day 2 hours', 'Europe/Berlin', 'Acme office, Berlin', 3)
      returning id`;
    eventId = event!.id;
    const people = await stack.db.sql<{ id: string }[]>`
      insert into candidates (email, first_name, last_name, consent_email)
      select 'crowd' || i || '@example.com', 'Guest' || i, 'Crowd', true from generate_series(0, 204) i
      order by i
      returning id`;
    // Five say yes (three seats, two wait), the other 200 decline at once: 205 guests, 200 a page.
    for (const person of people.slice(0, 5))
      await answerRsvp(stack.db.sql, { eventId, candidateId: person.id, answer: 'yes' });
    await stack.db.sql`
      insert into event_rsvps (event_id, candidate_id, answer, status)
      select ${eventId}, unnest(${people.slice(5).map((p) => p.id)}::uuid[]), 'no', 'declined'`;
  });

  const guestRows = (page: Page) => page.locator('table[aria-labelledby="guests"] tbody tr');

  it('shows 200 guests and reaches the next ones with the keyboard (desktop)', async () => {
    const page = await signedIn('desktop');
    await page.goto(`${base}/events/${eventId}`);
    expect(await guestRows(page).count()).toBe(200);
    expect(await page.getByText('200 guests shown, 200 at a time.').count()).toBe(2);
    expect(await page.getByRole('link', { name: 'First guests' }).count()).toBe(0);
    await screenshot(page, `event-guests-desktop`);
    expect(await seriousViolations(page)).toEqual([]);

    // Tab from the top of the page to the link to the next guests, and follow it with Enter.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate('document.activeElement?.textContent?.trim()')) === 'Next guests') break;
    }
    expect(await page.evaluate('document.activeElement?.textContent?.trim()')).toBe('Next guests');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/events\/[0-9a-f-]{36}\?cursor=[^#]+#guests$/);
    expect(await guestRows(page).count()).toBe(5);
    expect(await page.getByRole('link', { name: 'Next guests' }).count()).toBe(0);
    // The guests of the second page are the last five to decline, none of the first page's.
    expect(await guestRows(page).first().innerText()).toContain('declined');
    await screenshot(page, `event-guests-next-desktop`);

    await page.getByRole('link', { name: 'First guests' }).first().click();
    await page.waitForURL(`${base}/events/${eventId}#guests`);
    expect(await guestRows(page).count()).toBe(200);
    expect(await guestRows(page).first().innerText()).toContain('going');
    await page.context().close();
  });

  it('pages the guests with a tap, on a phone', async () => {
    const page = await signedIn('phone');
    await page.goto(`${base}/events/${eventId}`);
    expect(await guestRows(page).count()).toBe(200);
    await screenshot(page, `event-guests-phone`);
    expect(await seriousViolations(page)).toEqual([]);
    // The guest list scrolls sideways by itself on a phone, and is still a table to a screen reader.
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
      nodes: { role?: { value: string } }[];
    };
    const roles = nodes.map((n) => n.role?.value);
    expect(roles.filter((r) => r === 'table')).toHaveLength(2);
    expect(roles.filter((r) => r === 'row').length).toBeGreaterThan(200);
    const next = page.getByRole('link', { name: 'Next guests' }).first();
    await usableAt(page, 'phone', next);
    await next.tap();
    await page.waitForURL(/\?cursor=[^#]+#guests$/);
    expect(await guestRows(page).count()).toBe(5);
    await page.context().close();
  });
});

describe('signing in, in a browser', () => {
  for (const width of ['desktop', 'phone'] as const)
    it(`signs in with the form and its CSRF token (${width})`, async () => {
      const page = await freshPage(width);
      await page.goto(`${base}/sign-in?next=/events`);
      const csrf = await page.locator('form[action="/sign-in"] input[name="_csrf"]').getAttribute('value');
      expect(csrf).toMatch(/^[\w-]{20,}$/);
      await screenshot(page, `sign-in-${width}`);
      await usableAt(page, width, page.getByRole('button', { name: 'Sign in' }));
      await page.getByLabel('API key').fill(recruiterKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/events`);
      await screenshot(page, `events-${width}`);
      await usableAt(page, width, page.getByRole('button', { name: 'Sign out' }));
      await page.context().close();
    });

  for (const next of ['/%09/evil.example', '//evil.example', '/%5Cevil.example', 'https://evil.example/'])
    it(`lands on the site, not elsewhere, when asked to go to ${next}`, async () => {
      const page = await freshPage('desktop');
      await page.goto(`${base}/sign-in?next=${next}`);
      expect(await page.locator('input[name="next"]').getAttribute('value')).toBe('/');
      await page.getByLabel('API key').fill(recruiterKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${base}/`);
      expect(new URL(page.url()).origin).toBe(base);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Attention');
      await page.context().close();
    });

  it('tells a wrong key plainly, on the page, with no stack trace', async () => {
    const page = await freshPage('desktop');
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('API key').fill('rk_not_a_real_key_0123456789');
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await answer).status()).toBe(401);
    expect(await page.getByRole('alert').textContent()).toBe('That API key is unknown or revoked.');
    expect(await page.getByLabel('API key').getAttribute('aria-describedby')).toBe('sign-in-error');
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/Error:|\bat .+:\d+:\d+|node_modules|\.ts:\d+/);
    await screenshot(page, 'sign-in-wrong-key');
    expect(await seriousViolations(page)).toEqual([]);
    // Then the right key works from the same form.
    await page.getByLabel('API key').fill(recruiterKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    await page.context().close();
  });

  it('takes no more of a key than a key can be, and tells it plainly', async () => {
    const page = await freshPage('desktop');
    await page.goto(`${base}/sign-in`);
    const field = page.getByLabel('API key');
    await field.fill('x'.repeat(300));
    expect(await field.inputValue()).toHaveLength(200);
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await answer).status()).toBe(401);
    expect(await page.getByRole('alert').textContent()).toBe('That API key is unknown or revoked.');
    await page.context().close();
  });

  it('keeps a sign-in page asked for with a very long next page usable', async () => {
    const page = await freshPage('desktop');
    await page.goto(`${base}/sign-in?next=/candidates?q=${'a'.repeat(2100)}`);
    await page.getByLabel('API key').fill(recruiterKey);
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await answer).status()).toBe(303);
    await page.waitForURL(`${base}/`);
    await page.context().close();
  });

  it('asks again when the form outlived its sign-in cookie, and signs nobody in', async () => {
    const page = await freshPage('desktop');
    await page.goto(`${base}/sign-in?next=/funnel`);
    await page.context().clearCookies();
    await page.getByLabel('API key').fill(recruiterKey);
    const answer = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await answer).status()).toBe(403);
    expect(await page.getByRole('alert').textContent()).toBe(
      'This form is out of date. Enter the key again.',
    );
    expect((await page.context().cookies()).some((c) => c.name === 'rapport_session')).toBe(false);
    await page.getByLabel('API key').fill(recruiterKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/funnel`);
    expect((await page.context().cookies()).some((c) => c.name === 'rapport_session')).toBe(true);
    await page.context().close();
  });
});
