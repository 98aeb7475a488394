// The fault suite (`npm run test:faults`): the real stack in separate processes — PostgreSQL, the
// Temporal dev server, an SMTP server, `rapport api` and two `rapport worker`, compiled as in production
// — while faults are injected:
// 1. 500 candidates, each with a journey of three sends and waits, while workers are SIGKILLed at random
//    (20 times or more), Temporal and PostgreSQL are restarted, the API is SIGKILLed, and the SMTP server
//    refuses (4xx, 5xx), does not answer, or drops the connection at DATA for a share of recipients;
// 2. a burst of 10,000 events while the API and a worker are killed and started again.
// It passes when every accepted event reached its workflow once, no message was delivered twice,
// nothing was lost, transient SMTP failures were retried, permanent ones recorded as failed, `unknown`
// stays within 0.2% of messages, and the API answered nothing but 2xx, 4xx and 503. It prints a table.
// FAULTS_CANDIDATES, FAULTS_BURST, FAULTS_WORKER_KILLS and FAULTS_SEED change the sizes and the dice.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pLimit from 'p-limit';
import { publishPipelines } from '../../src/cli/publish.js';
import { loadConfig } from '../../src/config/index.js';
import { createApiKey } from '../../src/db/api-keys.js';
import { createSql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { startEmbeddedPostgres } from '../../src/embedded/postgres.js';
import { findTemporalBinary } from '../../src/embedded/temporal-binary.js';
import { startTemporalDevServer } from '../../src/embedded/temporal-server.js';
import { cleanEnv } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';
import { newTally, postUntilAnswered, serverErrors } from './client.js';
import { Restartable, ROOT, Supervised } from './processes.js';
import { startFaultySmtp, type Fault } from './smtp.js';

const CANDIDATES = Number(process.env.FAULTS_CANDIDATES ?? 500);
const BURST = Number(process.env.FAULTS_BURST ?? 10_000);
const WORKER_KILLS = Number(process.env.FAULTS_WORKER_KILLS ?? 20);
const SEED = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
const SENDS = 3;
const POST_SPACING_MS = 60_000 / CANDIDATES;
const UNKNOWN_SHARE = 0.002;
const PIPELINES = path.join(ROOT, 'test/fixtures/pipelines-faults');

/** A seeded random number generator (mulberry32): a failing run is repeated with its seed. */
function dice(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = dice(SEED);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const email = (i: number) => `c${i}@faults.example`;

/** Each recipient's SMTP misbehaviour, by their number: 5% temporary, 3% silent, 3% dropped, 2% refused. */
function faultOf(recipient: string): Fault | undefined {
  const i = Number(/^c(\d+)@/.exec(recipient)?.[1] ?? -1) % 100;
  if (i < 0) return undefined;
  if (i < 5) return 'temporary';
  if (i < 8) return 'timeout';
  if (i < 11) return 'drop';
  if (i < 13) return 'permanent';
  return undefined;
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`);
    await sleep(1000);
  }
}

const count = async (query: Promise<{ n: number }[]>) => (await query)[0]!.n;

async function main(): Promise<number> {
  console.log(`fault suite: ${CANDIDATES} candidates, a burst of ${BURST} events, seed ${SEED}`);
  const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed');

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-faults-'));
  await fs.chmod(dir, 0o755);
  const config = loadConfig();
  const binary = await findTemporalBinary({
    cliPath: config.temporal.cliPath,
    cacheDir: config.cacheDir,
    onProgress: (m) => console.log(m),
  });
  const [pgPort, temporalPort, smtpPort, apiPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const postgres = new Restartable(() =>
    startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: pgPort }),
  );
  const temporal = new Restartable(() =>
    startTemporalDevServer({
      binary: binary.path,
      dbFile: path.join(dir, 'temporal.sqlite'),
      port: temporalPort,
      namespace: 'default',
    }),
  );
  const { url: databaseUrl } = await postgres.start();
  const { address: temporalAddress } = await temporal.start();
  const sql = createSql(databaseUrl);
  await migrate(sql);
  await publishPipelines(sql, PIPELINES);
  const { key } = await createApiKey(sql, { name: 'faults', scopes: ['*'] });
  const smtp = await startFaultySmtp(smtpPort, faultOf);

  const env = cleanEnv({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    RAPPORT_TASK_QUEUE: 'faults',
    RAPPORT_PIPELINES_DIR: PIPELINES,
    SMTP_URL: smtp.url,
    PORT: String(apiPort),
    RAPPORT_RATE_LIMIT: '0',
    LOG_LEVEL: 'info',
  });
  const api = new Supervised('api', ['api'], env, 'API listening');
  const workers = [1, 2].map((n) => new Supervised(`worker ${n}`, ['worker'], env, 'worker running'));
  const processes = [api, ...workers];
  await Promise.all(processes.map((p) => p.start()));
  const events = `http://127.0.0.1:${apiPort}/v1/events`;
  const tally = newTally();
  const stopAll = async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await smtp.close();
    await sql.end({ timeout: 5 });
    await temporal.running?.stop();
    await postgres.running?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };

  try {
    // 1. Journeys while everything fails around them.
    const started = Date.now();
    let posted = false;
    const accepted = new Set<number>();
    // Applications arrive over a minute (POST_SPACING_MS apart), so that the API, Temporal and
    // PostgreSQL go down while events are still coming in.
    const posting = (async () => {
      const limit = pLimit(8);
      await Promise.all(
        Array.from({ length: CANDIDATES }, (_, i) =>
          limit(async () => {
            await sleep(started + i * POST_SPACING_MS - Date.now());
            const status = await postUntilAnswered(
              events,
              key,
              {
                id: `fault-${i}`,
                source: 'faults',
                type: 'candidate.sourced',
                candidate: { email: email(i), first_name: `C${i}`, consent: { email: true } },
              },
              tally,
            );
            if (status === 202) accepted.add(i);
          }),
        ),
      );
      posted = true;
    })();
    const journeysDone = () =>
      count(sql<{ n: number }[]>`
        select count(*)::int as n from journeys where playbook = 'fault-three-sends' and ended_at is not null`);
    let step = 0;
    // Faults until the posts are answered, the workers were killed often enough, and every other fault
    // had its turn (the API at steps 5 and 15, Temporal at 8, PostgreSQL at 12).
    while (!posted || workers.reduce((n, w) => n + w.kills, 0) < WORKER_KILLS || step < 16) {
      await sleep(1000 + random() * 1500);
      step += 1;
      if (step === 5 || step === 15) await api.kill();
      else if (step === 8) await temporal.restart(2000);
      else if (step === 12) await postgres.restart(2000);
      else await workers[Math.floor(random() * workers.length)]!.kill();
    }
    await posting;
    const chaosDone = Date.now();
    await waitUntil('every journey ends', async () => (await journeysDone()) === accepted.size, 900_000);
    console.log(
      `journeys: ${accepted.size} ended ${Math.round((Date.now() - started) / 1000)} s after the first post ` +
        `(faults for ${Math.round((chaosDone - started) / 1000)} s)`,
    );

    // 2. A burst of events while the API and a worker are killed.
    const burstStarted = Date.now();
    const burstAccepted = new Set<number>();
    const batches = Math.ceil(BURST / 100);
    let sentBatches = 0;
    const limit = pLimit(4);
    const burst = Promise.all(
      Array.from({ length: batches }, (_, b) =>
        limit(async () => {
          const numbers = Array.from({ length: Math.min(100, BURST - b * 100) }, (_, k) => b * 100 + k);
          const status = await postUntilAnswered(
            events,
            key,
            numbers.map((n) => ({
              id: `burst-${n}`,
              source: 'faults',
              type: 'candidate.updated',
              candidate: { email: email(n % CANDIDATES) },
              data: { n },
            })),
            tally,
          );
          if (status === 202) for (const n of numbers) burstAccepted.add(n);
          sentBatches += 1;
        }),
      ),
    );
    await waitUntil(
      'a third of the burst is posted',
      () => Promise.resolve(sentBatches >= batches / 3),
      600_000,
    );
    await api.kill();
    await waitUntil(
      'two thirds of the burst are posted',
      () => Promise.resolve(sentBatches >= (2 * batches) / 3),
      600_000,
    );
    await workers[0]!.kill();
    await burst;
    await waitUntil(
      'every burst event starts its journey',
      async () =>
        (await count(
          sql<{ n: number }[]>`select count(*)::int as n from journeys where playbook = 'fault-tally'`,
        )) === burstAccepted.size,
      900_000,
    );
    console.log(
      `burst: ${burstAccepted.size} events reached their workflows in ${Math.round((Date.now() - burstStarted) / 1000)} s`,
    );
    await sleep(2000); // the last deliveries' marks, and mail in flight

    // What happened, from the store and the SMTP server.
    const statuses = Object.fromEntries(
      (
        await sql<{ status: string; n: number }[]>`
          select status, count(*)::int as n from messages group by status`
      ).map((r) => [r.status, r.n]),
    ) as Record<string, number>;
    const messages = Object.values(statuses).reduce((a, b) => a + b, 0);
    const rows = await sql<{ id: string; status: string; email: string }[]>`
      select m.id, m.status, c.email from messages m join candidates c on c.id = m.candidate_id`;
    const duplicatedMail = [...smtp.accepted.values()].filter((n) => n > 1).length;
    const sentNotDelivered = rows.filter((r) => r.status === 'sent' && smtp.accepted.get(r.id) !== 1).length;
    const deliveredNotSent = [...smtp.accepted.keys()].filter(
      (id) => !rows.some((r) => r.id === id && (r.status === 'sent' || r.status === 'unknown')),
    ).length;
    const transientFailed = rows.filter(
      (r) => r.status === 'failed' && faultOf(r.email) !== 'permanent',
    ).length;
    const permanentNotFailed = rows.filter(
      (r) => faultOf(r.email) === 'permanent' && r.status !== 'failed',
    ).length;
    const stuck = (statuses.pending ?? 0) + (statuses.sending ?? 0);
    const missingRows = accepted.size * SENDS - messages;
    const lostEvents = await count(
      sql<
        { n: number }[]
      >`select count(*)::int as n from events e where e.source = 'faults' and (e.delivered_at is null
        or (e.type = 'candidate.updated' and not exists (select 1 from journeys j where j.id = 'fault-tally:' || e.id)))`,
    );
    const twiceStarted = await count(
      sql<
        { n: number }[]
      >`select count(*)::int as n from (select journey_id from interactions where kind = 'journey.started'
        group by journey_id having count(*) > 1) t`,
    );
    const unknown = statuses.unknown ?? 0;
    const fivexx = serverErrors(tally);
    const lost = lostEvents + Math.max(0, missingRows) + stuck + sentNotDelivered;
    const duplicated = duplicatedMail + twiceStarted + deliveredNotSent;

    const kills = workers.reduce((n, w) => n + w.kills, 0);
    const crashes = processes.reduce((n, p) => n + p.crashes, 0);
    const table: [string, string | number][] = [
      ['worker SIGKILLs', kills],
      ['API SIGKILLs', api.kills],
      ['Temporal restarts', temporal.restarts],
      ['PostgreSQL restarts', postgres.restarts],
      ['processes that died by themselves (started again)', crashes],
      [
        'SMTP 4xx / 5xx / no answer / dropped at DATA',
        `${smtp.injected.temporary} / ${smtp.injected.permanent} / ${smtp.injected.timeout} / ${smtp.injected.drop}`,
      ],
      ['requests unanswered (API down), retried', tally.unanswered],
      [
        'answers by status',
        [...tally.statuses]
          .sort()
          .map(([s, n]) => `${s}: ${n}`)
          .join(', '),
      ],
      ['journeys', accepted.size],
      ['events accepted', accepted.size + burstAccepted.size],
      [
        'messages',
        `${messages} (${Object.entries(statuses)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')})`,
      ],
      ['lost', lost],
      ['duplicated', duplicated],
      ['unknown', `${unknown} (${((100 * unknown) / Math.max(1, messages)).toFixed(2)}%)`],
      ['5xx other than 503', fivexx],
    ];
    const width = Math.max(...table.map(([k]) => k.length));
    console.log(`\n${'fault suite'.padEnd(width)}  seed ${SEED}`);
    for (const [k, v] of table) console.log(`${k.padEnd(width)}  ${v}`);

    const checks: [string, boolean][] = [
      [`at least ${WORKER_KILLS} worker kills`, kills >= WORKER_KILLS],
      [
        'Temporal and PostgreSQL restarted, the API killed',
        temporal.restarts > 0 && postgres.restarts > 0 && api.kills > 0,
      ],
      ['every event accepted', accepted.size === CANDIDATES && burstAccepted.size === BURST],
      ['nothing lost', lost === 0],
      ['nothing duplicated', duplicated === 0],
      ['transient SMTP failures retried', transientFailed === 0],
      ['permanent SMTP refusals recorded as failed', permanentNotFailed === 0],
      [`unknown at most ${UNKNOWN_SHARE * 100}% of messages`, unknown <= UNKNOWN_SHARE * messages],
      ['no 5xx other than 503', fivexx === 0],
    ];
    console.log('');
    for (const [name, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}`);
    const failed = checks.filter(([, ok]) => !ok).length;
    console.log(`\n${checks.length - failed} passed, ${failed} failed`);
    if (failed) for (const p of processes) console.log(`--- ${p.name} (tail)\n${p.tail().slice(-3000)}`);
    return failed ? 1 : 0;
  } finally {
    await stopAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
