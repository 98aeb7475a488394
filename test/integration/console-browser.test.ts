// The console in a real browser (Debian's Chromium through playwright-core) against the real stack, as a
// recruiter uses it: sign in, read the attention list, find a candidate, read the past and the future on
// the timeline, pause a journey, add a note with the keyboard alone, open a job and enroll a match with the
// keyboard, close it. Every page is checked with axe-core (no serious or critical violation), every action
// on it is reached with the Tab key, and it is saved as a screenshot under test/artifacts/.
import type { AddressInfo } from 'node:net';
import type { ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/db/api-keys.js';
import { upsertCandidate } from '../../src/db/candidates.js';
import { claimMessage } from '../../src/db/messages.js';
import { createTask } from '../../src/db/subjects.js';
import { listen } from '../../src/http/listen.js';
import { launchBrowser, screenshot, seriousViolations, unreachableByKeyboard } from '../helpers/browser.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';
import { answerRsvp } from '../../src/db/recruiting-events.js';

let stack: Stack;
let server: ServerType;
let base: string;
let browser: Browser;
let page: Page;
const dialogs: string[] = [];
let candidateId: string;

beforeAll(async () => {
  stack = await startStack();
  server = await listen(stack.rawApp.fetch, 0, '127.0.0.1');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  // A sourced candidate whose name is markup: the talent-community journey sends, then waits 14 days.
  const res = await stack.app.request('/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'candidate.sourced',
      source: 'api',
      candidate: {
        email: 'grace@example.com',
        first_name: '<img src=x onerror=alert(1)>',
        last_name: 'Hopper',
        consent: { email: true },
        tags: ['backend'],
      },
    }),
  });
  expect(res.status).toBe(202);
  candidateId = ((await res.json()) as { candidate_id: string }).candidate_id;
  await eventually(async () => {
    const rows = await stack.db.sql`
      select 1 from journeys where candidate_id = ${candidateId} and playbook = 'attract-talent-community'
        and status = 'waiting'`;
    return rows.length ? true : undefined;
  });
  await stack.db.sql`update candidates set employment_status = 'open' where id = ${candidateId}`;
  // Open to work and never contacted, whatever the hour (Grace's welcome goes out inside the window).
  const { id: ada } = await upsertCandidate(
    stack.db.sql,
    { email: 'ada@example.com', first_name: '<img src=x onerror=alert(2)>', last_name: 'Lovelace' },
    'api',
  );
  await stack.db.sql`update candidates set employment_status = 'open' where id = ${ada}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.stop();
});

/** The id of the element that has the focus (evaluated in the page). */
const FOCUSED = 'document.activeElement ? document.activeElement.id : null';

/** Every page: a screenshot, no serious accessibility violation, and every action reachable by Tab. */
async function checked(name: string) {
  await screenshot(page, name);
  expect(await seriousViolations(page), name).toEqual([]);
  expect(await unreachableByKeyboard(page), name).toEqual([]);
}

describe('the console in a browser', () => {
  it('signs in with an API key and lands on the page asked for', async () => {
    const { key } = await createApiKey(stack.db.sql, { name: 'Sam (recruiter)', scopes: ['*'] });
    await page.goto(`${base}/candidates`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await checked('sign-in');
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/candidates`);
    expect(await page.getByText('Signed in with').textContent()).toContain('Sam (recruiter)');
  });

  it('reads the attention list, candidate data as text', async () => {
    await page.goto(`${base}/`);
    await expect
      .poll(() => page.getByRole('heading', { name: /Open to work, not contacted/ }).count())
      .toBe(1);
    const link = page.getByRole('link', { name: '<img src=x onerror=alert(2)> Lovelace' });
    expect(await link.count()).toBeGreaterThan(0);
    expect(await page.locator('main img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await checked('attention');
  });

  it('keeps the attention list current without a reload', async () => {
    await page.goto(`${base}/`);
    await page.evaluate('window.sameDocument = true');
    const { id } = await upsertCandidate(
      stack.db.sql,
      { email: 'barbara@example.com', first_name: 'Barbara', last_name: 'Liskov' },
      'api',
    );
    await stack.db.sql`update candidates set employment_status = 'open' where id = ${id}`;
    // The live region looks again every 10 seconds; the page itself stays.
    await expect
      .poll(() => page.getByRole('link', { name: 'Barbara Liskov' }).count(), { timeout: 25_000 })
      .toBe(1);
    expect(await page.evaluate('window.sameDocument')).toBe(true);
  });

  it('reads the funnel', async () => {
    await page.goto(`${base}/funnel`);
    expect(await page.getByRole('heading', { name: 'Stages' }).count()).toBe(1);
    expect(await page.getByRole('row', { name: /^discover/ }).count()).toBe(1);
    await checked('funnel');
  });

  it('finds a candidate and reads the past and the future on the timeline', async () => {
    await page.goto(`${base}/candidates`);
    await page.getByLabel('Name or email').fill('grace');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: /Hopper/ }).click();
    await page.waitForURL(`${base}/candidates/${candidateId}`);
    const past = page.locator('ol.timeline').first();
    expect(await past.textContent()).toContain('candidate.sourced');
    expect(await past.textContent()).toContain('Enrolled in attract-talent-community');
    const future = page.locator('ol.timeline li.future');
    await expect.poll(() => future.count()).toBeGreaterThan(0);
    // Outside the sending window the welcome waits for it; inside, it went out and the 14-day wait follows.
    expect((await future.allTextContents()).join('\n')).toMatch(
      /attract-talent-community at (welcome: a send waits for the sending window|steps\/1: a wait ends)/,
    );
    await checked('candidate');
  });

  it('pauses a journey', async () => {
    const row = page.getByRole('row', { name: /attract-talent-community/ });
    await row.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(`${base}/candidates/${candidateId}`);
    expect(await page.getByRole('row', { name: /attract-talent-community/ }).textContent()).toContain(
      'paused',
    );
    expect(
      await page
        .getByRole('row', { name: /attract-talent-community/ })
        .getByRole('button', { name: 'Resume' })
        .count(),
    ).toBe(1);
  });

  it('opens a playbook diagram with the journeys at each step, and validates a change', async () => {
    await page.goto(`${base}/playbooks`);
    await page.getByRole('link', { name: /Welcome sourced talent/ }).click();
    await page.waitForURL(`${base}/playbooks/attract-talent-community`);
    const diagram = page.locator('svg.diagram');
    expect(await diagram.getAttribute('role')).toBe('img');
    expect(await diagram.locator('g.step').count()).toBeGreaterThanOrEqual(5);
    // Grace's journey is at one step: that box carries the count.
    const busy = diagram.locator('g.step.busy');
    expect(await busy.count()).toBe(1);
    expect(await busy.locator('g.count text').textContent()).toBe('1');
    await checked('playbook');
    await page
      .getByLabel('Playbook YAML')
      .fill('playbook: attract-talent-community\nstage: attract\nversion: 2\nsteps:\n  - sned: hello\n');
    await page.getByRole('button', { name: 'Validate' }).click();
    const alert = page.getByRole('alert');
    expect(await alert.textContent()).toMatch(/attract-talent-community\.yaml:\d+:\d+/);
    await checked('playbook-validation');
  });

  it('runs a sample candidate through the playbook on a virtual clock', async () => {
    await page.goto(`${base}/playbooks/attract-talent-community`);
    await page.getByRole('button', { name: 'Simulate' }).click();
    const timeline = page.getByRole('table', { name: /What the sample candidate would receive/ });
    const sends = timeline.getByRole('row', { name: /send/ });
    expect(await sends.count()).toBeGreaterThanOrEqual(2);
    expect(await sends.first().textContent()).toContain('welcome');
    await checked('playbook-simulation');
    await page.getByLabel('Sample candidate (JSON)').fill('{ not json');
    await page.getByRole('button', { name: 'Simulate' }).click();
    expect(await page.getByRole('alert').textContent()).toContain('is not JSON');
  });

  it('adds a note with the keyboard alone', async () => {
    await page.goto(`${base}/candidates/${candidateId}`);
    // Tab through the page until the note field has the focus.
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(FOCUSED)) === 'note') break;
    }
    expect(await page.evaluate(FOCUSED)).toBe('note');
    await page.keyboard.type('Called her: <b>keen</b> on backend roles');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/candidates/${candidateId}#timeline`);
    expect(await page.locator('ol.timeline').first().textContent()).toContain(
      'Called her: <b>keen</b> on backend roles',
    );
  });

  it('completes a task', async () => {
    await createTask(stack.db.sql, {
      key: 'browser/task/1',
      candidateId,
      journeyId: 'manual',
      step: 'call',
      title: 'Call Grace about the backend role',
      assignee: 'sam@acme.example',
      due: '2020-01-01T09:00:00Z',
    });
    await page.goto(`${base}/tasks`);
    const row = page.getByRole('row', { name: /Call Grace about the backend role/ });
    expect(await row.textContent()).toContain('Overdue');
    await checked('tasks');
    await row.getByRole('button', { name: 'Complete: Call Grace about the backend role' }).click();
    await page.waitForURL(`${base}/tasks`);
    expect(await page.getByRole('row', { name: /Call Grace/ }).count()).toBe(0);
    const [task] = await stack.db.sql<{ status: string }[]>`select status from tasks where step = 'call'`;
    expect(task!.status).toBe('completed');
  });

  it('reads an email that was recorded, not delivered, as the candidate would see it', async () => {
    const { row } = await claimMessage(stack.db.sql, {
      idempotencyKey: 'browser/recorded/1',
      candidateId,
      journeyId: 'manual',
      step: 'hello',
      channel: 'email',
      template: 'talent-community-welcome',
      to: 'grace@example.com',
      from: 'talent@acme.example',
      subject: 'Welcome to the Acme talent community',
      text: 'Hello Grace, welcome.',
      html: '<!doctype html><html><body><p style="color: #0a58ca">Hello <strong>Grace</strong>, welcome.</p><script>parent.document.title = "pwned"</script></body></html>',
      status: 'recorded',
      reason: 'not delivered: no SMTP_URL configured',
    });
    await page.goto(`${base}/outbox?status=recorded`);
    const line = page.getByRole('row', { name: /Welcome to the Acme talent community/ });
    expect(await line.textContent()).toContain('Not delivered');
    await checked('outbox');
    await line.getByRole('link').click();
    await page.waitForURL(`${base}/messages/${row.id}`);
    const frame = page.frameLocator('iframe.email');
    await expect.poll(() => frame.locator('strong').textContent()).toBe('Grace');
    // The frame is sandboxed: its script never ran.
    expect(await page.title()).not.toBe('pwned');
    await checked('message');
  });

  it('shows a read-only key no action, and refuses its forms', async () => {
    const readOnly = await browser.newPage();
    const { key } = await createApiKey(stack.db.sql, { name: 'viewer', scopes: ['candidates:read'] });
    await readOnly.goto(`${base}/sign-in?next=/candidates/${candidateId}`);
    await readOnly.getByLabel('API key').fill(key);
    await readOnly.getByRole('button', { name: 'Sign in' }).click();
    await readOnly.waitForURL(`${base}/candidates/${candidateId}`);
    expect(await readOnly.getByRole('button', { name: /Pause|Resume|Cancel|Add note/ }).count()).toBe(0);
    const csrf = await readOnly.locator('input[name="_csrf"]').first().getAttribute('value');
    const refused = await readOnly.request.post(`${base}/candidates/${candidateId}/notes`, {
      form: { _csrf: csrf ?? '', text: 'not allowed' },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(403);
    await readOnly.close();
  });

  it('enrolls the candidate in a playbook', async () => {
    await page.goto(`${base}/candidates/${candidateId}`);
    await page.getByLabel('Playbook').selectOption('nurture-open-to-work-checkins');
    await page.getByRole('button', { name: 'Enroll' }).click();
    await page.waitForURL(`${base}/candidates/${candidateId}#journeys`);
    expect(await page.getByRole('row', { name: /nurture-open-to-work-checkins/ }).count()).toBe(1);
  });

  it('opens a job, reads why each match matched, enrolls one with the keyboard and closes the job', async () => {
    // Linus fits the job: its rediscovery finds him when it opens. Ken fits too, and joins after.
    await upsertCandidate(
      stack.db.sql,
      {
        email: 'linus@example.com',
        first_name: 'Linus',
        skills: ['Rust', 'kernel'],
        location: 'Berlin',
        tags: ['silver-medalist'],
        consent: { email: true },
      },
      'api',
    );
    await page.goto(`${base}/jobs`);
    await page.getByLabel('Title').fill('Kernel engineer <b>now</b>');
    await page.getByLabel('Location').fill('Berlin');
    await page.getByLabel(/Skills/).fill('rust, kernel');
    await page.getByRole('button', { name: 'Open the job' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]{36}$/);
    const jobId = new URL(page.url()).pathname.split('/')[2]!;
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Kernel engineer <b>now</b>');
    const enrolled = page.getByRole('table', { name: 'Enrolled for this job' });
    await expect
      .poll(
        async () => {
          await page.reload();
          return enrolled.getByRole('row', { name: /Linus/ }).count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    expect(await enrolled.getByRole('row', { name: /Linus/ }).textContent()).toContain('attract-new-opening');

    const { id: ken } = await upsertCandidate(
      stack.db.sql,
      {
        email: 'ken@example.com',
        first_name: 'Ken',
        skills: ['rust'],
        location: 'Remote (EU)',
        consent: { email: true },
      },
      'api',
    );
    await page.reload();
    const matches = page.getByRole('table', { name: /Ranked by discover-rediscover-on-job-opened/ });
    const kenRow = matches.getByRole('row', { name: /Ken/ });
    expect(await kenRow.textContent()).toContain('skills in common: rust');
    expect(await kenRow.textContent()).toContain('location: Remote (EU)');
    expect(await matches.getByRole('row', { name: /Linus/ }).count()).toBe(0);
    expect(await page.getByLabel('Enroll the picked candidates in').inputValue()).toBe('attract-new-opening');
    await checked('job');

    // Pick Ken and enroll him with the keyboard alone.
    await page.getByLabel('Pick Ken').focus();
    await page.keyboard.press('Space');
    for (let i = 0; i < 5 && (await page.evaluate(FOCUSED)) !== 'into-0'; i++)
      await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/enrolled=1/);
    expect(await page.getByRole('status').textContent()).toMatch(/Enrolled\s+1\./);
    expect(await enrolled.getByRole('row', { name: /Ken/ }).textContent()).toContain('attract-new-opening');
    const [journey] = await stack.db.sql<{ job_id: string }[]>`
      select job_id from journeys where candidate_id = ${ken} and playbook = 'attract-new-opening'`;
    expect(journey!.job_id).toBe(jobId);

    await page.getByRole('button', { name: 'Close this job' }).click();
    await page.waitForURL(`${base}/jobs/${jobId}`);
    expect(await page.getByRole('definition').first().textContent()).toContain('closed');
    expect(await page.getByRole('button', { name: 'Close this job' }).count()).toBe(0);
    // The journeys the job started end, Ken's with them.
    await eventually(async () => {
      const open = await stack.db.sql`
        select 1 from journeys where job_id = ${jobId} and candidate_id is not null and ended_at is null`;
      return open.length ? undefined : true;
    });
    await page.goto(`${base}/jobs?status=closed`);
    expect(await page.getByRole('row', { name: /Kernel engineer/ }).textContent()).toMatch(/closed\s*Berlin/);
    await checked('jobs');
  });

  it('follows a campaign and pauses it', async () => {
    const pool = await stack.app.request('/v1/pools', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'browser-wave', filter: { tags: { all: ['browser-wave'] } } }),
    });
    expect(pool.status).toBe(201);
    const res = await stack.app.request('/v1/campaigns', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Spring meetup',
        playbook: 'attract-talent-community',
        pool: 'browser-wave',
        start_at: new Date(Date.now() + 86_400_000).toISOString(),
      }),
    });
    expect(res.status).toBe(201);
    await page.goto(`${base}/campaigns`);
    expect(await page.getByRole('row', { name: /Spring meetup/ }).textContent()).toContain('scheduled');
    expect(await page.getByRole('row', { name: /backend-berlin/ }).count()).toBe(1);
    await checked('campaigns');
    await page.getByRole('link', { name: 'Spring meetup' }).click();
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(/\/campaigns\/[0-9a-f-]{36}$/);
    expect(await page.getByRole('button', { name: 'Resume' }).count()).toBe(1);
    await checked('campaign');
  });

  it('checks a guest in at the door and closes the event', async () => {
    const created = await stack.app.request('/v1/recruiting-events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'browser-meetup',
        title: 'Browser meetup',
        starts_at: new Date(Date.now() + 3_600_000).toISOString(),
        timezone: 'Europe/Berlin',
        location: 'Acme office',
        capacity: 1,
      }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const [first, second] = await Promise.all(
      ['Greta', 'Hugo'].map((name) =>
        upsertCandidate(
          stack.db.sql,
          { email: `${name.toLowerCase()}@example.com`, first_name: name },
          'api',
        ),
      ),
    );
    for (const guest of [first!, second!])
      await answerRsvp(stack.db.sql, { eventId: id, candidateId: guest.id, answer: 'yes' });
    await page.goto(`${base}/events`);
    expect(await page.getByRole('row', { name: /Browser meetup/ }).textContent()).toContain('1 / 1');
    await checked('events');
    await page.getByRole('link', { name: 'Browser meetup' }).click();
    expect(await page.getByRole('row', { name: /Hugo/ }).textContent()).toContain('waitlisted');
    await checked('event');
    await page.getByRole('button', { name: 'Check in Greta' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/#guests$/);
    expect(await page.getByRole('button', { name: 'Check in Greta' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Close the event' }).click();
    await page.waitForURL(`${base}/events/${id}`);
    expect(await page.getByRole('row', { name: /Greta/ }).textContent()).toContain('attended');
    expect(await page.getByRole('button', { name: /Check in/ }).count()).toBe(0);
  });

  it('erases a candidate only once the confirmation is typed', async () => {
    const { id } = await upsertCandidate(
      stack.db.sql,
      { email: 'erase-me@example.com', first_name: 'Ed' },
      'api',
    );
    await page.goto(`${base}/candidates/${id}`);
    await page.getByLabel(/to confirm/).fill('someone-else@example.com');
    await page.getByRole('button', { name: 'Erase' }).click();
    expect(await page.getByRole('heading', { name: 'Not erased' }).count()).toBe(1);
    expect((await stack.db.sql`select 1 from candidates where id = ${id} and erased_at is null`).length).toBe(
      1,
    );
    await page.goto(`${base}/candidates/${id}`);
    await checked('erase');
    await page.getByLabel(/to confirm/).fill('erase-me@example.com');
    await page.getByRole('button', { name: 'Erase' }).click();
    await page.waitForURL(`${base}/candidates`);
    const [row] = await stack.db.sql<{ email: string | null; erased: boolean }[]>`
      select email, erased_at is not null as erased from candidates where id = ${id}`;
    expect(row).toEqual({ email: null, erased: true });
  });
});
