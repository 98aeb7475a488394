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
import { faultOf, spawnFaultySmtp } from './smtp.js';

const CANDIDATES = Number(process.env.FAULTS_CANDIDATES ?? 500);
const BURST = Number(process.env.FAULTS_BURST ?? 10_000);
const WORKER_KILLS = Number(process.env.FAULTS_WORKER_KILLS ?? 20);
const SEED = Number(process.env.FAULTS_SEED ?? Date.now() % 1_000_000);
const SENDS = 3;
/** Applications arrive over this long, and the faults are spread over it. */
const SPREAD_MS = Number(process.env.FAULTS_SPREAD_S ?? 240) * 1000;
const POST_SPACING_MS = SPREAD_MS / CANDIDATES;
/** Between two faults (a worker's restart comes on top): about 24 faults over the applications. */
const FAULT_GAP_MS = [5000, 10_000] as const;
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
  const smtp = await spawnFaultySmtp(smtpPort);

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
    // Applications arrive over four minutes (POST_SPACING_MS apart), so that every fault — the API,
    // Temporal and PostgreSQL going down, each worker kill — comes while events arrive and journeys send.
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
    /** When each fault of the first part began (to say which one made a message `unknown`). */
    const faultLog: { at: number; what: string }[] = [];
    const fault = (what: string) => faultLog.push({ at: Date.now(), what });
    // Faults until the posts are answered, the workers were killed often enough, and every other fault
    // had its turn (the API at steps 5 and 15, Temporal at 8, PostgreSQL at 12).
    while (!posted || workers.reduce((n, w) => n + w.kills, 0) < WORKER_KILLS || step < 16) {
      await sleep(FAULT_GAP_MS[0] + random() * (FAULT_GAP_MS[1] - FAULT_GAP_MS[0]));
      step += 1;
      if (step === 5 || step === 15) {
        fault('API SIGKILL');
        await api.kill();
      } else if (step === 8) {
        fault('Temporal restart');
        await temporal.restart(2000);
      } else if (step === 12) {
        fault('PostgreSQL restart');
        await postgres.restart(2000);
      } else {
        const worker = workers[Math.floor(random() * workers.length)]!;
        fault(`${worker.name} SIGKILL`);
        await worker.kill();
      }
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
    const { accepted: delivered, injected } = await smtp.report();
    const duplicatedMail = [...delivered.values()].filter((n) => n > 1).length;
    const sentNotDelivered = rows.filter((r) => r.status === 'sent' && delivered.get(r.id) !== 1).length;
    const deliveredNotSent = [...delivered.keys()].filter(
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
    // How long a message is in the window where a fault leaves it `unknown`: from the handover's record
    // to the record of the server's answer.
    const [window] = await sql<{ mean: number; p50: number; p99: number }[]>`
      select avg(ms) as mean, percentile_cont(0.5) within group (order by ms) as p50,
        percentile_cont(0.99) within group (order by ms) as p99
      from (select extract(epoch from sent_at - data_sent_at) * 1000 as ms from messages
        where status = 'sent' and data_sent_at is not null) w`;
    const unknowns = await sql<{ id: string; data_sent_at: Date }[]>`
      select id, data_sent_at from messages where status = 'unknown' order by data_sent_at`;
    for (const u of unknowns) {
      const handed = u.data_sent_at.getTime();
      const cause = faultLog.find((f) => f.at >= handed - 50);
      console.log(
        `unknown ${u.id}: handed over ${((handed - started) / 1000).toFixed(3)} s in; next fault ` +
          (cause ? `${cause.what} ${cause.at - handed} ms later` : 'none'),
      );
    }
    const fivexx = serverErrors(tally);
    const lost = lostEvents + Math.max(0, missingRows) + stuck + sentNotDelivered;
    const duplicated = duplicatedMail + twiceStarted + deliveredNotSent;

    const kills = workers.reduce((n, w) => n + w.kills, 0);
    const crashes = processes.reduce((n, p) => n + p.crashes, 0);
    const table: [string, string | number][] = [
      [
        'worker SIGKILLs',
        `${kills} (one every ${Math.round((chaosDone - started) / 1000 / Math.max(1, kills))} s)`,
      ],
      ['API SIGKILLs', api.kills],
      ['Temporal restarts', temporal.restarts],
      ['PostgreSQL restarts', postgres.restarts],
      ['processes that died by themselves (started again)', crashes],
      [
        'SMTP 4xx / 5xx / no answer / dropped at DATA',
        `${injected.temporary} / ${injected.permanent} / ${injected.timeout} / ${injected.drop}`,
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
      [
        'handover to recorded answer, ms (mean / p50 / p99)',
        window
          ? [window.mean, window.p50, window.p99].map((v) => Math.round(Number(v ?? 0))).join(' / ')
          : '-',
      ],
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
