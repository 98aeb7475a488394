// A journey's life around its steps, on the real dev server, PostgreSQL and SMTP: pause, resume and
// cancel; an exit while a send is in flight; an unsubscribe between enrollment and send; a new version
// published while journeys run; moving running journeys with `rapport playbooks migrate`; a job opening
// that rediscovers candidates and enrolls them, and its closing.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { publishPipelines } from '../../src/cli/publish.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { journeyStateQuery } from '../../workflows/contract.js';
import { keepHistory } from '../helpers/histories.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/pipelines-lifecycle');
let stack: Stack;
let dir: string;
beforeAll(async () => {
  // A copy, so that tests can publish new versions of its playbooks.
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-lifecycle-'));
  await fs.cp(FIXTURES, dir, { recursive: true });
  stack = await startStack(dir);
});
afterAll(async () => {
  await stack?.stop();
  await fs.rm(dir, { recursive: true, force: true });
});

async function request(method: string, url: string, body?: unknown) {
  return stack.app.request(url, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

async function post(type: string, email: string, extra: Record<string, unknown> = {}) {
  const res = await request('POST', '/v1/events', {
    type,
    candidate: { email, first_name: email.split('@')[0], consent: { email: true }, ...extra },
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { candidate_id: string };
}

interface Journey {
  id: string;
  playbook: string;
  playbook_version: number;
  status: string;
  current_step: string | null;
  exit_reason: string | null;
}
interface View {
  journeys: Journey[];
  messages: { status: string; subject: string | null; template: string }[];
  timeline: { kind: string; step: string | null; summary: string }[];
}
const view = async (id: string) => (await (await request('GET', `/v1/candidates/${id}`)).json()) as View;
const journeyWhere = (id: string, test: (j: Journey) => boolean) =>
  eventually(async () => (await view(id)).journeys.find(test));
const mailsTo = (email: string) => stack.smtp.received.filter((m) => m.to.includes(email));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const encoded = (id: string) => encodeURIComponent(id);

describe('recruiter operations on a journey', () => {
  it('pauses a waiting journey (nothing is sent while paused) and resumes it', async () => {
    const { candidate_id } = await post('candidate.sourced', 'paused@example.com');
    const waiting = await journeyWhere(candidate_id, (j) => j.current_step === 'pause');
    const paused = await request('POST', `/v1/journeys/${encoded(waiting.id)}/pause`, {
      reason: 'on holiday',
    });
    expect(paused.status).toBe(200);
    expect(await paused.json()).toMatchObject({ id: waiting.id, status: 'paused', currentStep: 'pause' });
    await journeyWhere(candidate_id, (j) => j.status === 'paused');
    // The wait (3 s) ends while paused: still nothing sent.
    await sleep(4000);
    expect(mailsTo('paused@example.com')).toHaveLength(0);
    const detail = (await (await request('GET', `/v1/journeys/${encoded(waiting.id)}`)).json()) as {
      status: string;
      next: { kind: string } | null;
    };
    expect(detail).toMatchObject({ status: 'paused', next: { kind: 'timer' } });

    const resumed = await request('POST', `/v1/journeys/${encoded(waiting.id)}/resume`);
    expect(resumed.status).toBe(200);
    await stack.smtp.waitFor((m) => m.to.includes('paused@example.com'));
    const done = await journeyWhere(candidate_id, (j) => j.status === 'completed');
    expect(done.id).toBe(waiting.id);
    await keepHistory(stack.client, 'pause-resume', `candidate/${candidate_id}`);
  });

  it('cancels a journey: it ends as cancelled and never sends; operating on it again is a 409', async () => {
    const { candidate_id } = await post('candidate.sourced', 'cancelled@example.com');
    const waiting = await journeyWhere(candidate_id, (j) => j.current_step === 'pause');
    const res = await request('POST', `/v1/journeys/${encoded(waiting.id)}/cancel`, {
      reason: 'hired elsewhere',
    });
    expect(res.status).toBe(200);
    const ended = await journeyWhere(candidate_id, (j) => j.status === 'cancelled');
    expect(ended.exit_reason).toBe('hired elsewhere');
    await sleep(3500);
    expect(mailsTo('cancelled@example.com')).toHaveLength(0);
    const again = await request('POST', `/v1/journeys/${encoded(waiting.id)}/pause`);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toBe('application/problem+json');
    const unknown = await request('POST', '/v1/journeys/no-such-journey/pause');
    expect(unknown.status).toBe(404);
  });
});

describe('a recruiter enrolling a candidate', () => {
  it('answers with the new journey (update-with-start), and refuses a second one while it runs', async () => {
    const { candidate_id } = await post('candidate.updated', 'manual@example.com');
    const enroll = (playbook: string) =>
      request('POST', `/v1/candidates/${candidate_id}/journeys`, { playbook });
    const res = await enroll('life-wait-then-send');
    expect(res.status).toBe(201);
    const journey = (await res.json()) as { id: string; status: string; currentStep: string };
    expect(journey).toMatchObject({
      status: 'waiting',
      currentStep: 'pause',
      playbook: 'life-wait-then-send',
    });
    const again = await enroll('life-wait-then-send');
    expect(again.status).toBe(409);
    expect(((await again.json()) as { detail: string }).detail).toContain(journey.id);
    const unknown = await enroll('no-such-playbook');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errors: [{ pointer: '/playbook' }] });
    const jobPlaybook = await enroll('life-rediscover');
    expect(jobPlaybook.status).toBe(404);
    expect(await jobPlaybook.json()).toMatchObject({
      errors: [{ pointer: '/playbook', detail: expect.stringContaining('job playbook') }],
    });
    await stack.smtp.waitFor((m) => m.to.includes('manual@example.com'));
    await journeyWhere(candidate_id, (j) => j.id === journey.id && j.status === 'completed');
  });
});

describe('consent and exits at send time', () => {
  it('exits while the send is in flight: the retry never delivers, and the outbox says cancelled', async () => {
    // The SMTP server refuses the first attempt with a temporary error: the send waits to retry.
    stack.smtp.rejectNext(1, 451);
    const { candidate_id } = await post('candidate.interviewed', 'inflight@example.com');
    await eventually(async () =>
      (await stack.db.sql`select 1 from messages where candidate_id = ${candidate_id} and attempts > 0`)
        .length
        ? true
        : undefined,
    );
    await post('candidate.hired', 'inflight@example.com');
    const ended = await journeyWhere(candidate_id, (j) => j.status === 'exited');
    expect(ended.exit_reason).toBe('candidate.hired');
    const v = await eventually(async () => {
      const current = await view(candidate_id);
      return current.messages[0]?.status === 'cancelled' ? current : undefined;
    });
    expect(v.timeline.map((t) => t.kind)).toContain('message.cancelled');
    // Past the activity's retry interval: still nothing delivered.
    await sleep(6000);
    expect(mailsTo('inflight@example.com')).toHaveLength(0);
    expect((await view(candidate_id)).messages.map((m) => m.status)).toEqual(['cancelled']);
    await keepHistory(stack.client, 'exit-during-send', `candidate/${candidate_id}`);
  });

  it('suppresses and records a send when the candidate unsubscribed after enrolling', async () => {
    const { candidate_id } = await post('candidate.sourced', 'unsub@example.com');
    await journeyWhere(candidate_id, (j) => j.current_step === 'pause');
    await post('candidate.unsubscribed', 'unsub@example.com');
    const done = await journeyWhere(candidate_id, (j) => j.status === 'completed');
    expect(done.playbook).toBe('life-wait-then-send');
    const v = await view(candidate_id);
    // Decided once, at delivery: one entry, and the outbox row that says so.
    expect(v.timeline.filter((t) => t.kind === 'message.suppressed')).toEqual([
      expect.objectContaining({
        step: 'hello',
        summary: expect.stringContaining('unsubscribed') as string,
      }),
    ]);
    expect(v.messages.map((m) => [m.status, m.template])).toEqual([['suppressed', 'hello']]);
    expect(mailsTo('unsub@example.com')).toHaveLength(0);
  });
});

describe('versions', () => {
  const playbookFile = () => path.join(dir, 'life-wait-then-send.yaml');
  const env = () =>
    cleanEnv({
      DATABASE_URL: stack.db.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RAPPORT_PIPELINES_DIR: dir,
    });

  it('publishes a new version while journeys run: running ones keep theirs, new ones get it', async () => {
    const old = await post('candidate.sourced', 'old-version@example.com');
    const first = await journeyWhere(old.candidate_id, (j) => j.current_step === 'pause');
    expect(first.playbook_version).toBe(1);

    // Version 2 waits longer and says something else after the same `pause` step.
    await fs.writeFile(
      playbookFile(),
      (await fs.readFile(playbookFile(), 'utf8'))
        .replace('version: 1', 'version: 2')
        .replace('wait: 3s', 'wait: 4s')
        .replace(/- id: hello\n {4}send: hello/, '- id: greet\n    send: hello-again'),
    );
    const published = await publishPipelines(stack.db.sql, dir);
    expect(published.published).toEqual([
      expect.objectContaining({ playbook: 'life-wait-then-send', version: 2 }),
    ]);
    const newer = await post('candidate.sourced', 'new-version@example.com');
    const second = await journeyWhere(newer.candidate_id, (j) => j.current_step === 'pause');
    expect(second.playbook_version).toBe(2);

    // The running v1 journey finished as v1: it sent `hello`, not v2's message.
    const oldMail = await stack.smtp.waitFor((m) => m.to.includes('old-version@example.com'));
    expect(oldMail.subject).toBe('Hello old-version');
    const newMail = await stack.smtp.waitFor((m) => m.to.includes('new-version@example.com'));
    expect(newMail.subject).toBe('Version two for new-version');
  });

  it('migrates running journeys by step with the CLI, refusing unmatched steps before anything changes', async () => {
    const write = async (version: number, wait: string, step: string) =>
      fs.writeFile(
        playbookFile(),
        `playbook: life-wait-then-send\nstage: engage\nversion: ${version}\nenroll:\n  on: [candidate.sourced]\n` +
          `exit:\n  on: [candidate.hired]\nsteps:\n  - id: ${step}\n    wait: ${wait}\n  - id: hello\n    send: hello\n`,
      );
    // Two journeys on version 3: version 1's steps with a longer wait.
    await write(3, '60s', 'pause');
    await publishPipelines(stack.db.sql, dir);
    const a = await post('candidate.sourced', 'migrate-a@example.com');
    const b = await post('candidate.sourced', 'migrate-b@example.com');
    const started = await journeyWhere(
      a.candidate_id,
      (j) => j.current_step === 'pause' && j.playbook_version === 3,
    );
    await journeyWhere(b.candidate_id, (j) => j.current_step === 'pause' && j.playbook_version === 3);
    const before = await stack.client.workflow
      .getHandle(`candidate/${a.candidate_id}`)
      .query(journeyStateQuery, started.id);
    expect(before?.awaiting).toMatchObject({ kind: 'timer', step: 'pause' });

    // Version 4 renamed the step they wait at: refused, with where they are, and nothing changes.
    await write(4, '60s', 'linger');
    await publishPipelines(stack.db.sql, dir);
    const refused = await runCli(['playbooks', 'migrate', 'life-wait-then-send', '--to', '4'], env());
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('v3 at pause: 2 journeys cannot move: version 4 has no step pause');
    expect(refused.output).toContain('nothing changed');
    const missing = await runCli(['playbooks', 'migrate', 'life-wait-then-send', '--to', '9'], env());
    expect(missing.code).not.toBe(0);
    expect(missing.output).toContain('has no version 9; published: 1, 2, 3, 4');

    const dry = await runCli(
      ['playbooks', 'migrate', 'life-wait-then-send', '--to', '1', '--dry-run'],
      env(),
    );
    expect(dry.code).toBe(0);
    expect(dry.output).toContain('v3 at pause: 2 journeys → v1 pause');
    expect(dry.output).toContain('would move 2 journeys to v1');
    expect((await view(a.candidate_id)).journeys[0]!.playbook_version).toBe(3);

    const moved = await runCli(['playbooks', 'migrate', 'life-wait-then-send', '--to', '1'], env());
    expect(moved.output).toContain('moved 2, ended meanwhile 0, failed 0');
    expect(moved.code).toBe(0);
    const moving = await journeyWhere(
      a.candidate_id,
      (j) => j.playbook_version === 1 && j.current_step === 'pause',
    );
    // On version 1 the journey keeps the timer it had (60 s from its start); its next step is v1's `hello`.
    const state = await stack.client.workflow
      .getHandle(`candidate/${a.candidate_id}`)
      .query(journeyStateQuery, moving.id);
    expect(state).toMatchObject({
      definition: { version: 1 },
      awaiting: before!.awaiting,
      frames: [{ list: ['steps'], pc: 0 }],
    });
    for (const id of [a.candidate_id, b.candidate_id]) {
      const j = await journeyWhere(id, (x) => x.playbook_version === 1);
      expect((await request('POST', `/v1/journeys/${encoded(j.id)}/cancel`)).status).toBe(200);
    }
    await journeyWhere(b.candidate_id, (j) => j.status === 'cancelled' && j.playbook_version === 1);
    await keepHistory(stack.client, 'migrated', `candidate/${b.candidate_id}`);
  });
});

describe('a job opening', () => {
  it('rediscovers matching candidates, enrolls them with the job in scope, and closing the job ends their journeys', async () => {
    const candidates = [
      { email: 'go-berlin@example.com', skills: ['Go', 'Postgres'], location: 'Berlin, Germany' },
      { email: 'silver@example.com', skills: ['postgres'], location: 'Berlin', tags: ['silver-medalist'] },
      { email: 'remote@example.com', skills: ['go'], location: 'Remote' },
      { email: 'java-berlin@example.com', skills: ['java'], location: 'Berlin' },
      { email: 'go-paris@example.com', skills: ['go'], location: 'Paris' },
      { email: 'blocked@example.com', skills: ['go'], location: 'Berlin', tags: ['do-not-contact'] },
    ];
    const ids = new Map<string, string>();
    for (const c of candidates) {
      const { email, ...rest } = c;
      ids.set(email, (await post('candidate.updated', email, rest)).candidate_id);
    }
    const opened = await request('POST', '/v1/events', {
      type: 'job.opened',
      job: {
        external_id: 'req-7',
        title: 'Platform Engineer',
        location: 'Berlin',
        skills: ['go', 'postgres'],
      },
    });
    expect(opened.status).toBe(202);
    const { job_id, workflow_id } = (await opened.json()) as { job_id: string; workflow_id: string };
    expect(workflow_id).toBe(`job/${job_id}`);

    const expected = ['go-berlin@example.com', 'silver@example.com', 'remote@example.com'];
    for (const email of expected) {
      const mail = await stack.smtp.waitFor((m) => m.to.includes(email));
      expect(mail.subject).toBe('Platform Engineer in Berlin');
    }
    const jobJourney = await eventually(async () => {
      const [row] = await stack.db.sql<{ status: string }[]>`
        select status from journeys where job_id = ${job_id} and candidate_id is null`;
      return row?.status === 'completed' ? row : undefined;
    });
    expect(jobJourney.status).toBe('completed');
    const found = await stack.db.sql<{ summary: string }[]>`
      select summary from interactions where job_id = ${job_id} and kind = 'job.found'`;
    expect(found).toEqual([{ summary: 'Found 3 candidates' }]);
    for (const email of ['java-berlin@example.com', 'go-paris@example.com', 'blocked@example.com'])
      expect(mailsTo(email)).toHaveLength(0);
    const waiting = await journeyWhere(ids.get('silver@example.com')!, (j) => j.current_step === 'interest');
    expect(waiting.playbook).toBe('life-opening');

    const closed = await request('POST', '/v1/events', {
      type: 'job.closed',
      job: { external_id: 'req-7' },
    });
    expect(closed.status).toBe(202);
    for (const email of expected) {
      const j = await journeyWhere(
        ids.get(email)!,
        (x) => x.playbook === 'life-opening' && x.status === 'exited',
      );
      expect(j.exit_reason).toBe('job.closed');
    }
    await stack.client.workflow.getHandle(workflow_id).result();
    await keepHistory(stack.client, 'job-opened-closed', workflow_id);
    await keepHistory(stack.client, 'enrolled-by-job', `candidate/${ids.get('silver@example.com')!}`);
  });

  it('answers a job event without a job, or with a candidate, naming the field', async () => {
    const missing = await request('POST', '/v1/events', { type: 'job.opened' });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({
      errors: [{ pointer: '/job', detail: '"job" is required' }],
    });
    const both = await request('POST', '/v1/events', {
      type: 'job.opened',
      job: { external_id: 'x' },
      candidate: { email: 'a@example.com' },
    });
    expect(both.status).toBe(422);
    expect(await both.json()).toMatchObject({ errors: [{ pointer: '/candidate' }] });
  });
});
