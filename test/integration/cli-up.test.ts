// `rapport up` as a person runs it: embedded PostgreSQL and Temporal dev server, worker and API in one
// process; a clean stop; a second start that finds the same data and delivers an event left undelivered. Also the CLI's errors.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { cleanEnv, runCli, startCli } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { eventually } from '../helpers/stack.js';
import { createSql } from '../../src/db/client.js';
import { startSmtp, type TestSmtp } from '../helpers/smtp.js';

let dataDir: string;
let smtp: TestSmtp;
beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-up-'));
  await fs.chmod(dataDir, 0o755);
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('rapport up', () => {
  it('runs the slice end to end, stops cleanly on SIGTERM, and finds the same data when started again', async () => {
    const port = await freePort();
    const env = cleanEnv({
      RAPPORT_DATA_DIR: dataDir,
      PORT: String(port),
      RAPPORT_TEMPORAL_PORT: String(await freePort()),
      RAPPORT_TEMPORAL_UI_PORT: String(await freePort()),
      RAPPORT_POSTGRES_PORT: String(await freePort()),
      TEMPORAL_CLI_PATH: inject('temporalBinary'),
      SMTP_URL: smtp.url,
      LOG_LEVEL: 'warn',
    });
    const api = `http://127.0.0.1:${port}`;

    const first = startCli(['up'], env);
    await first.waitForOutput('Rapport is up');
    expect(first.output()).toContain(`API          ${api}`);
    expect((await fetch(`${api}/readyz`)).status).toBe(200);
    // The first start creates a key with every scope and shows it once.
    const key = /API key\s+(rk_\S+)/.exec(first.output())?.[1];
    expect(key).toBeDefined();
    const authorization = `Bearer ${key}`;
    expect((await fetch(`${api}/v1/candidates/00000000-0000-0000-0000-000000000000`)).status).toBe(401);
    // And a one-time link into the console, signed in with that key.
    const link = new RegExp(`Console\\s+(${api}/sign-in/link/[\\w-]{43})`).exec(first.output())?.[1];
    expect(link).toBeDefined();
    const confirm = await fetch(link!);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toMatch(/with the key\s+<strong>local<\/strong>/);
    const signedIn = await fetch(link!, { method: 'POST', redirect: 'manual' });
    expect(signedIn.status).toBe(303);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await fetch(`${api}/`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
    expect((await fetch(link!, { method: 'POST', redirect: 'manual' })).status).toBe(401);

    const accepted = (await (
      await fetch(`${api}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({
          type: 'candidate.applied',
          candidate: { email: 'linus@example.com', first_name: 'Linus' },
          data: { job: { title: 'Kernel engineer' } },
        }),
      })
    ).json()) as { candidate_id: string };
    const mail = await smtp.waitFor((m) => m.to.includes('linus@example.com'));
    expect(mail.subject).toBe('Linus, we received your application for Kernel engineer');

    const temporalPid = Number(await fs.readFile(path.join(dataDir, 'temporal.sqlite.pid'), 'utf8'));
    const postgresPid = Number(
      (await fs.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    expect(alive(temporalPid) && alive(postgresPid)).toBe(true);

    // An event stored as a crash would leave it: accepted, never delivered. The next start's sweep
    // delivers it.
    const databaseUrl = `postgres://rapport:rapport@127.0.0.1:${env.RAPPORT_POSTGRES_PORT}/rapport`;
    const database = createSql(databaseUrl);
    const [left] = await database<{ id: string }[]>`
      insert into events (source, source_event_id, type, candidate_id, received_at)
      values ('crash-test', 'left-behind', 'candidate.hired', ${accepted.candidate_id}, now() - interval '1 minute')
      returning id`;
    await database.end();

    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(alive(temporalPid)).toBe(false);
    expect(alive(postgresPid)).toBe(false);

    const second = startCli(['up'], env);
    try {
      await second.waitForOutput('Rapport is up');
      expect(second.output()).not.toContain('API key');
      // Every start offers a new sign-in link for the local key; the used one stays used.
      const next = /Console\s+(\S+\/sign-in\/link\/[\w-]{43})/.exec(second.output())?.[1];
      expect(next).toBeDefined();
      expect(next).not.toBe(link);
      expect((await fetch(next!)).status).toBe(200);
      const candidate = (await (
        await fetch(`${api}/v1/candidates/${accepted.candidate_id}`, { headers: { authorization } })
      ).json()) as {
        email: string;
        timeline: { kind: string }[];
      };
      expect(candidate.email).toBe('linus@example.com');
      expect(candidate.timeline.map((t) => t.kind)).toEqual(
        expect.arrayContaining(['event', 'journey.started', 'message.sent']),
      );
      const again = createSql(databaseUrl);
      try {
        await eventually(async () => {
          const [row] = await again<{ delivered_at: Date | null }[]>`
            select delivered_at from events where id = ${left!.id}`;
          return row?.delivered_at ?? undefined;
        });
      } finally {
        await again.end();
      }
    } finally {
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
    }
  }, 240_000);
});

describe('rapport up with a broken playbook', () => {
  it('stops before serving, names the file, exits 1 and leaves no server behind', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-broken-'));
    await fs.chmod(dir, 0o755);
    const pipelines = path.join(dir, 'pipelines');
    await fs.cp(path.resolve(import.meta.dirname, '../../pipelines'), pipelines, { recursive: true });
    await fs.writeFile(
      path.join(pipelines, 'engage-not-selected.yaml'),
      'playbook: engage-not-selected\nstage: engage\n',
    );
    const result = await runCli(
      ['up'],
      cleanEnv({
        RAPPORT_DATA_DIR: path.join(dir, 'data'),
        RAPPORT_PIPELINES_DIR: pipelines,
        PORT: String(await freePort()),
        RAPPORT_TEMPORAL_PORT: String(await freePort()),
        RAPPORT_TEMPORAL_UI_PORT: String(await freePort()),
        RAPPORT_POSTGRES_PORT: String(await freePort()),
        TEMPORAL_CLI_PATH: inject('temporalBinary'),
        LOG_LEVEL: 'warn',
      }),
    );
    // Embedded PostgreSQL was running when the error came: its exit hooks must not turn 1 into 0.
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      `${path.join(pipelines, 'engage-not-selected.yaml')}:1:1: "version" is required`,
    );
    await expect(fs.access(path.join(dir, 'data/postgres/postmaster.pid'))).rejects.toThrow();
    await fs.rm(dir, { recursive: true, force: true });
  });
});

describe('the rapport command', () => {
  it.each([
    { args: ['api'], names: 'DATABASE_URL and TEMPORAL_ADDRESS', code: 1 },
    { args: ['worker'], names: 'DATABASE_URL and TEMPORAL_ADDRESS', code: 1 },
    { args: ['migrate'], names: 'DATABASE_URL', code: 1 },
  ])('`rapport $args.0` without configuration says which variables to set', async ({ args, names, code }) => {
    const result = await runCli(args, cleanEnv({}));
    expect(result.code).toBe(code);
    expect(result.output).toContain(`${names} must be set`);
  });

  it.each([
    { variable: 'PORT', value: 'eighty', says: 'must be a port number' },
    { variable: 'DATABASE_URL', value: 'mysql://localhost/x', says: 'must use postgres: or postgresql:' },
    { variable: 'TEMPORAL_ADDRESS', value: 'http://localhost:7233', says: 'must be host:port' },
    { variable: 'LOG_LEVEL', value: 'loud', says: 'must be one of' },
  ])('refuses a bad $variable at start, naming it', async ({ variable, value, says }) => {
    const result = await runCli(['up'], cleanEnv({ [variable]: value }));
    expect(result.code).toBe(2);
    expect(result.output).toContain(`invalid configuration: ${variable}: ${says}`);
  });

  it('prints help', async () => {
    const result = await runCli(['help'], cleanEnv({}));
    expect(result.code).toBe(0);
    expect(result.output).toContain('Usage: rapport <command>');
  });
});
