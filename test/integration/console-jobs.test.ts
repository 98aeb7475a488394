// The console's jobs and a playbook's per-step funnel over HTTP, on the real stack: a job's page ranks the
// candidates its rediscovery would find next and says why each matched; picked candidates are enrolled
// for the job (through the same function as POST /v1/candidates/{id}/journeys with `job_id`); a read-only
// key sees no form; the playbook page counts each step's reached → sent → clicked or replied → goal.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/db/api-keys.js';
import { upsertCandidate } from '../../src/db/candidates.js';
import { closeJobRow, upsertJob } from '../../src/db/jobs.js';
import { upsertJourney } from '../../src/db/journeys.js';
import { claimMessage } from '../../src/db/messages.js';
import { recordTimeline } from '../../src/db/timeline.js';
import { postSignIn } from '../helpers/console.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const form = (fields: [string, string][]) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

async function signIn(scopes: string[]) {
  const { key } = await createApiKey(stack.db.sql, { name: 'recruiter', scopes });
  const res = await postSignIn(stack.rawApp, key);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

const page = (path: string, cookie: string, init: RequestInit = {}) =>
  stack.rawApp.request(path, { ...init, headers: { ...(init.headers as object), cookie } });
const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';

const candidate = (email: string, fields: Record<string, unknown>) =>
  upsertCandidate(stack.db.sql, { email, consent: { email: true }, ...fields }, 'api').then((r) => r.id);

/** What the job's rediscovery playbook records when it runs: its journey, and the query its find ran. */
async function rediscovered(jobId: string, query: object) {
  const journeyId = `discover-rediscover-on-job-opened:${randomUUID()}`;
  await upsertJourney(stack.db.sql, {
    id: journeyId,
    workflowId: `job/${jobId}`,
    candidateId: null,
    jobId,
    playbook: 'discover-rediscover-on-job-opened',
    version: 1,
    status: 'completed',
    currentStep: null,
    nextActionAt: null,
    startedAt: new Date().toISOString(),
    exitReason: null,
  });
  await recordTimeline(stack.db.sql, {
    kind: 'job.found',
    at: { workflowId: `job/${jobId}`, journeyId, jobId, candidateId: null, step: 'steps/0', iteration: 0 },
    candidates: 0,
    query,
  });
}

/** A job as an ATS created it, with the rediscovery its playbook recorded (nobody enrolled yet). */
async function jobWithRediscovery(externalId: string) {
  const jobId = await upsertJob(
    stack.db.sql,
    {
      external_id: externalId,
      title: 'Platform engineer',
      location: 'Berlin',
      skills: ['go', 'postgres', 'kafka'],
    },
    'greenhouse',
    'open',
  );
  await rediscovered(jobId, {
    match: { skills: ['go,postgres,kafka'], location: 'Berlin' },
    prefer: ['silver-medalist'],
    exclude: { tags: ['hired'] },
    limit: 50,
  });
  return jobId;
}

/** The "Why" cell of each ranked row, in order. */
const ranked = (body: string) =>
  [
    ...body.matchAll(
      /<td>(\d+)<\/td>\s*<td><a href="\/candidates\/[^"]+">([^<]+)<\/a><\/td>\s*<td>([^<]*)<\/td>/g,
    ),
  ].map((m) => `${m[1]} ${m[2]}: ${m[3]!.trim()}`);

describe('jobs in the console', () => {
  it('ranks the next matches of a job’s rediscovery and says why each matched', async () => {
    await candidate('two@example.com', { first_name: 'Two', skills: ['Go', 'Postgres'], location: 'Berlin' });
    await candidate('one@example.com', { first_name: 'One', skills: ['go'], location: 'Berlin, Germany' });
    await candidate('three@example.com', {
      first_name: 'Three',
      skills: ['go', 'postgres', 'kafka'],
      location: 'Berlin',
    });
    await candidate('medal@example.com', {
      first_name: 'Medal',
      skills: ['kafka'],
      location: 'Remote',
      tags: ['silver-medalist'],
    });
    await candidate('java@example.com', { first_name: 'Java', skills: ['java'], location: 'Berlin' });
    await candidate('munich@example.com', { first_name: 'Munich', skills: ['go'], location: 'Munich' });
    await candidate('gone@example.com', {
      first_name: 'Gone',
      skills: ['go'],
      location: 'Berlin',
      tags: ['hired'],
    });
    const jobId = await jobWithRediscovery('gh-ranks');
    const cookie = await signIn(['*']);
    const body = await (await page(`/jobs/${jobId}`, cookie)).text();
    expect(ranked(body)).toEqual([
      '1 Medal: preferred: silver-medalist · skills in common: kafka · location: Remote',
      '2 Three: skills in common: go, kafka, postgres · location: Berlin',
      '3 Two: skills in common: go, postgres · location: Berlin',
      '4 One: skills in common: go · location: Berlin, Germany',
    ]);
    expect(body).toContain('Ranked by <code>discover-rediscover-on-job-opened</code>');
    // Its playbook hands what it finds to attract-new-opening: the form offers that first.
    expect(body).toMatch(/<option value="attract-new-opening"\s+selected/);
    expect(body).toContain('aria-label="Pick Medal"');
  });

  it('ranks a reopened job by its latest rediscovery only', async () => {
    const jobId = await jobWithRediscovery('gh-reopened');
    // Reopened: the same playbook ran again, a new journey, with the job's new skills.
    await rediscovered(jobId, { match: { skills: ['java'] }, limit: 50 });
    const cookie = await signIn(['*']);
    const body = await (await page(`/jobs/${jobId}`, cookie)).text();
    expect(body.match(/Ranked by/g)).toHaveLength(1);
    expect(ranked(body)).toEqual(['1 Java: skills in common: java']);
  });

  it('enrolls the picked candidates for the job, each once', async () => {
    const a = await candidate('pick-a@example.com', {
      first_name: 'A',
      skills: ['elixir'],
      location: 'Berlin',
    });
    const b = await candidate('pick-b@example.com', {
      first_name: 'B',
      skills: ['elixir'],
      location: 'Berlin',
    });
    const jobId = await upsertJob(
      stack.db.sql,
      { external_id: 'gh-picks', title: 'Elixir engineer', location: 'Berlin', skills: ['elixir'] },
      'greenhouse',
      'open',
    );
    const cookie = await signIn(['*']);
    const body = await (await page(`/jobs/${jobId}`, cookie)).text();
    // No rediscovery ran for this job: the matches follow the job itself.
    expect(body).toContain('Ranked on the job’s skills and location');
    expect(ranked(body).map((r) => r.split(':')[0])).toEqual(['1 B', '2 A']);
    const csrf = csrfOf(body);
    const picked = (...ids: string[]) =>
      page(
        `/jobs/${jobId}/enroll`,
        cookie,
        form([
          ['_csrf', csrf],
          ['playbook', 'attract-new-opening'],
          ...ids.map((id): [string, string] => ['candidate', id]),
        ]),
      );
    const res = await picked(a, b);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/jobs/${jobId}?enrolled=2&already=0#enrolled`);
    const journeys = await stack.db.sql<{ candidate_id: string; job_id: string }[]>`
      select candidate_id, job_id from journeys where playbook = 'attract-new-opening' and candidate_id in (${a}, ${b})`;
    expect(journeys.map((j) => j.job_id)).toEqual([jobId, jobId]);
    // Picked again: they are in that playbook already, and stay as they are. An id of nobody starts nothing.
    const nobody = randomUUID();
    expect((await picked(a, nobody)).headers.get('location')).toBe(
      `/jobs/${jobId}?enrolled=0&already=1&gone=1#enrolled`,
    );
    expect(
      (await stack.db.sql`select 1 from journeys where workflow_id = ${`candidate/${nobody}`}`).length,
    ).toBe(0);
    const after = await (await page(`/jobs/${jobId}?enrolled=0&already=1`, cookie)).text();
    expect(after).toContain('1 were in that playbook already');
    expect(ranked(after)).toEqual([]);
    expect(after).toMatch(/<a href="\/candidates\/[^"]+">A<\/a><\/td>\s*<td>attract-new-opening<\/td>/);
  });

  it('refuses what a form cannot mean: a field sent twice, no pick, a closed job', async () => {
    const a = await candidate('refuse@example.com', { first_name: 'R', skills: ['zig'] });
    const jobId = await upsertJob(
      stack.db.sql,
      { external_id: 'gh-refuse', title: 'Zig', skills: ['zig'] },
      'greenhouse',
      'open',
    );
    const cookie = await signIn(['*']);
    const csrf = csrfOf(await (await page(`/jobs/${jobId}`, cookie)).text());
    const twice = await page(
      `/jobs/${jobId}/enroll`,
      cookie,
      form([
        ['_csrf', csrf],
        ['playbook', 'attract-new-opening'],
        ['playbook', 'engage-offer'],
        ['candidate', a],
      ]),
    );
    expect(twice.status).toBe(422);
    expect(await twice.text()).toContain('/playbook');
    const none = await page(
      `/jobs/${jobId}/enroll`,
      cookie,
      form([
        ['_csrf', csrf],
        ['playbook', 'attract-new-opening'],
      ]),
    );
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('/candidate');
    await closeJobRow(stack.db.sql, jobId);
    const closed = await page(
      `/jobs/${jobId}/enroll`,
      cookie,
      form([
        ['_csrf', csrf],
        ['playbook', 'attract-new-opening'],
        ['candidate', a],
      ]),
    );
    expect(closed.status).toBe(409);
    expect(await closed.text()).toContain('The job is closed');
  });

  it('enrolls through the API for a job; a closed job is a conflict, an unknown one not found', async () => {
    const { key } = await createApiKey(stack.db.sql, { name: 'ats', scopes: ['*'] });
    const id = await candidate('api-job@example.com', { first_name: 'Api' });
    const jobId = await upsertJob(
      stack.db.sql,
      { external_id: 'gh-api', title: 'Api' },
      'greenhouse',
      'closed',
    );
    const post = (body: object) =>
      stack.rawApp.request(`/v1/candidates/${id}/journeys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const refused = await post({ playbook: 'attract-new-opening', job_id: jobId });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { detail: string }).detail).toContain(`Job ${jobId} is closed`);
    const unknown = await post({ playbook: 'attract-new-opening', job_id: randomUUID() });
    expect(unknown.status).toBe(404);
    await upsertJob(stack.db.sql, { external_id: 'gh-api' }, 'greenhouse', 'open');
    const ok = await post({ playbook: 'attract-new-opening', job_id: jobId });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { jobId: string }).jobId).toBe(jobId);
  });

  it('shows a read-only key the ranking without a form, and refuses its posts', async () => {
    const jobId = await jobWithRediscovery('gh-read-only');
    const cookie = await signIn(['jobs:read', 'candidates:read']);
    const body = await (await page(`/jobs/${jobId}`, cookie)).text();
    expect(ranked(body).length).toBeGreaterThan(0);
    expect(body).not.toContain('type="checkbox"');
    expect(body).not.toContain('Close this job');
    const jobs = await (await page('/jobs', cookie)).text();
    expect(jobs).not.toContain('Open a job');
    const refused = await page(`/jobs/${jobId}/close`, cookie, form([['_csrf', csrfOf(body)]]));
    expect(refused.status).toBe(403);
  });

  it('opens a job from its form: its rediscovery runs through the job’s workflow', async () => {
    const cookie = await signIn(['*']);
    const csrf = csrfOf(await (await page('/jobs', cookie)).text());
    const res = await page(
      '/jobs',
      cookie,
      form([
        ['_csrf', csrf],
        ['title', 'Haskell <engineer>'],
        ['skills', 'haskell, nix'],
        ['location', ''],
      ]),
    );
    expect(res.status).toBe(303);
    const jobId = res.headers.get('location')!.split('/')[2]!;
    const [job] = await stack.db.sql<{ title: string; skills: string[]; location: string | null }[]>`
      select title, skills, location from jobs where id = ${jobId}`;
    expect(job).toEqual({ title: 'Haskell <engineer>', skills: ['haskell', 'nix'], location: null });
    const body = await (await page(`/jobs/${jobId}`, cookie)).text();
    expect(body).toContain('<h1>Haskell &lt;engineer&gt;</h1>');
  });
});

describe('a playbook’s per-step funnel', () => {
  it('counts reached → sent → clicked or replied → goal at each step', async () => {
    const playbook = 'nurture-silver-medalists';
    const start = new Date(Date.now() - 60_000).toISOString();
    const journeys: string[] = [];
    // The page counts the journeys of the version it shows, the latest published.
    const [{ version } = { version: 1 }] = await stack.db.sql<{ version: number }[]>`
      select max(version)::int as version from playbook_versions where playbook = ${playbook}`;
    for (const n of [1, 2, 3, 4]) {
      const candidateId = await candidate(`funnel-${n}@example.com`, {});
      const id = `${playbook}:funnel-${n}`;
      journeys.push(id);
      const mirror = {
        id,
        workflowId: `candidate/${candidateId}`,
        candidateId,
        jobId: null,
        playbook,
        version,
        status: 'waiting' as const,
        nextActionAt: null,
        startedAt: start,
        exitReason: null,
      };
      // Journeys 1–3 rested at the 30-day wait before the advice; journey 4 is at the advice now.
      if (n < 4) await upsertJourney(stack.db.sql, { ...mirror, currentStep: 'steps/1' });
      await upsertJourney(stack.db.sql, { ...mirror, currentStep: n < 4 ? 'steps/3' : 'advice' });
      if (n < 4)
        await claimMessage(stack.db.sql, {
          idempotencyKey: `funnel/${n}`,
          candidateId,
          journeyId: id,
          step: 'advice',
          channel: 'email',
          template: 'skills-advice',
          to: `funnel-${n}@example.com`,
          from: 'talent@acme.example',
          subject: 'Advice',
          text: 'Hello',
          status: n === 3 ? 'suppressed' : n === 2 ? 'recorded' : 'sent',
        });
      const event = (type: string, data: object) => stack.db.sql`
        insert into events (type, candidate_id, data) values (${type}, ${candidateId}, ${stack.db.sql.json(data as never)})`;
      if (n === 1) {
        await event('candidate.clicked', { journey_id: id, step: 'advice', url: 'https://acme.example' });
        await event('candidate.applied', {});
      }
      if (n === 2) await event('candidate.replied', { journey_id: id, step: 'advice' });
      // Journey 4 met the goal after it started but before it reached the advice: not the advice's credit.
      if (n === 4)
        await stack.db.sql`
          insert into events (type, candidate_id, occurred_at)
          values ('candidate.applied', ${candidateId}, now() - interval '30 seconds')`;
    }
    const cookie = await signIn(['playbooks:read']);
    const body = await (await page(`/playbooks/${playbook}`, cookie)).text();
    const row = (step: string) =>
      new RegExp(
        `<code class="depth-\\d">${step.replace('/', '\\/')}</code></td>\\s*<td>[^<]*</td>((?:\\s*<td>[^<]*</td>){5})`,
      )
        .exec(body)?.[1]!
        .replace(/<\/?td>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    // Journeys here now | reached | sent | clicked or replied | went on to the goal
    expect(row('advice')).toBe('1 4 2 (50%) 2 (100%) 1 (25%)');
    expect(row('steps/1')).toBe('0 3 — — 1 (33%)');
    expect(row('checkin')).toBe('0 0 0 (—) 0 (—) 0 (—)');
  });
});
