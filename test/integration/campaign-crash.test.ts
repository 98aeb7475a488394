// The campaign fault test: a 5,000-candidate campaign launched with the real CLI at a set rate, while the
// worker process (`rapport worker`) is killed with SIGKILL twice during enrollment. Afterwards every
// eligible candidate has exactly one journey (and one message) from the campaign, and the others are
// counted as skipped with their reason.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { publishPipelines } from '../../src/cli/publish.js';
import { createPool } from '../../src/db/pools.js';
import { campaignNumbers } from '../../src/db/campaigns.js';
import { cleanEnv, runCli, startCli, type RunningCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { eventually } from '../helpers/stack.js';

const PIPELINES = path.resolve(import.meta.dirname, '../fixtures/pipelines-campaign');
const ELIGIBLE = 4600;
const NO_CONSENT = 250;
const UNSUBSCRIBED = 150;
const RATE_PER_MINUTE = 3000;

let db: TestDatabase;
let worker: RunningCli | undefined;
const taskQueue = `campaign-crash-${randomBytes(4).toString('hex')}`;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  db = await createTestDatabase();
  await publishPipelines(db.sql, PIPELINES);
  env = cleanEnv({
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    RAPPORT_TASK_QUEUE: taskQueue,
    RAPPORT_PIPELINES_DIR: PIPELINES,
    LOG_LEVEL: 'warn',
  });
});
afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await db?.drop();
});

async function startWorker(): Promise<RunningCli> {
  const cli = startCli(['worker'], { ...env, LOG_LEVEL: 'info' });
  await cli.waitForOutput('worker running', 60_000);
  return cli;
}

async function insertCandidates(prefix: string, n: number, consent: boolean, unsubscribed: boolean) {
  await db.sql`
    insert into candidates (email, first_name, consent_email, unsubscribed_at, tags, timezone)
    select ${prefix} || i || '@example.com', ${prefix} || i, ${consent},
      ${unsubscribed ? db.sql`now()` : null}, '{crash}', 'UTC'
    from generate_series(1, ${n}) i`;
}

describe('a campaign whose worker is killed twice during enrollment', () => {
  it('enrolls every eligible candidate exactly once and counts the skipped ones by reason', async () => {
    await insertCandidates('eligible', ELIGIBLE, true, false);
    await insertCandidates('noconsent', NO_CONSENT, false, false);
    await insertCandidates('unsub', UNSUBSCRIBED, true, true);
    await createPool(db.sql, { name: 'crash', filter: { tags: { all: ['crash'] } } });
    worker = await startWorker();

    const launch = await runCli(
      [
        'campaigns',
        'launch',
        '--name',
        'Crash wave',
        '--playbook',
        'campaign-news',
        '--pool',
        'crash',
        '--rate',
        String(RATE_PER_MINUTE),
        '--no-follow',
      ],
      env,
    );
    expect(launch.code, launch.output).toBe(0);
    const id = /launched campaign ([0-9a-f-]{36})/.exec(launch.output)![1]!;
    const started = Date.now();

    const decided = async () => {
      const n = await campaignNumbers(db.sql, { id, recruiting_event_id: null });
      return n.requested + n.enrolled + n.skipped;
    };
    let kills = 0;
    for (const at of [1500, 3200]) {
      await eventually(async () => ((await decided()) >= at ? true : undefined), 300_000);
      worker.child.kill('SIGKILL');
      await worker.exited;
      kills += 1;
      worker = await startWorker();
    }
    expect(kills).toBe(2);

    const numbers = await eventually(async () => {
      const [row] = await db.sql<{ status: string }[]>`select status from campaigns where id = ${id}`;
      const n = await campaignNumbers(db.sql, { id, recruiting_event_id: null });
      // Claimed enrollments whose journeys have started and ended (each sends one message, then ends).
      const [done] = await db.sql<{ n: number }[]>`
        select count(*)::int as n from journeys where campaign_id = ${id} and status = 'completed'`;
      return row!.status === 'completed' && n.queued === 0 && n.requested === 0 && done!.n >= n.enrolled
        ? n
        : undefined;
    }, 900_000);
    const [decidedAt] = await db.sql<{ last: Date }[]>`
      select max(decided_at) as last from campaign_members where campaign_id = ${id}`;
    const last = decidedAt!.last;

    expect(numbers).toMatchObject({
      total: ELIGIBLE + NO_CONSENT + UNSUBSCRIBED,
      enrolled: ELIGIBLE,
      skipped: NO_CONSENT + UNSUBSCRIBED,
      skipped_by_reason: { no_consent: NO_CONSENT, unsubscribed: UNSUBSCRIBED },
    });
    // One journey per eligible candidate, none for anybody else, none twice.
    const [journeys] = await db.sql<{ n: number; candidates: number; eligible: number }[]>`
      select count(*)::int as n, count(distinct j.candidate_id)::int as candidates,
        count(*) filter (where c.first_name like 'eligible%')::int as eligible
      from journeys j join candidates c on c.id = j.candidate_id where j.campaign_id = ${id}`;
    expect(journeys).toEqual({ n: ELIGIBLE, candidates: ELIGIBLE, eligible: ELIGIBLE });
    const twice = await db.sql`
      select candidate_id from messages where template = 'news' group by candidate_id having count(*) <> 1`;
    expect(twice).toEqual([]);
    const [messages] = await db.sql<
      { n: number }[]
    >`select count(*)::int as n from messages where template = 'news'`;
    expect(messages!.n).toBe(ELIGIBLE);

    const status = await runCli(['campaigns', 'status', id, '--no-follow'], env);
    expect(status.output).toContain(`skipped no_consent: ${NO_CONSENT}`);
    expect(status.output).toContain(`${ELIGIBLE} enrolled`);
    console.log(
      `campaign of ${numbers.total} at ${RATE_PER_MINUTE}/min, worker killed ${kills} times: ` +
        `${numbers.enrolled} enrolled, ${numbers.skipped} skipped, all decided in ` +
        `${((last.getTime() - started) / 1000).toFixed(0)} s`,
    );
  }, 1_200_000);
});
