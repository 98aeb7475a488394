// `npm run test:contract`: the served OpenAPI document against the running product. Starts `rapport up`
// on a fresh data directory, seeds it with real records (candidates with a journey and a message, a job)
// so that generated requests reach past 404s (a fresh instance has no task yet: completing one is tried
// on unknown ids), and runs Schemathesis with every check, its stateful phase following the document's
// links. Schemathesis comes from PyPI into a virtual environment
// of its own, cached outside the repository. Exits non-zero on any failure or server error.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { cleanEnv, startCli } from '../helpers/cli.js';
import { freePort } from '../helpers/ports.js';

const VERSION = '4.32.5';
/** Rapport's own cache (RAPPORT_CACHE_DIR, else the XDG cache), where the Temporal CLI is kept too. */
const { cacheDir } = loadConfig(process.env);
const venv = path.join(cacheDir, `schemathesis-${VERSION}`);
const st = path.join(venv, 'bin', 'st');

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Schemathesis in its own virtual environment, installed once from PyPI. */
async function schemathesis(): Promise<string> {
  if (await exists(st)) return st;
  console.log(`Installing Schemathesis ${VERSION} from PyPI into ${venv} (once)…`);
  await fs.mkdir(cacheDir, { recursive: true });
  if ((await run('python3', ['-m', 'venv', venv])) !== 0)
    throw new Error('python3 -m venv failed: install Python 3.9 or newer with its venv module');
  const pip = path.join(venv, 'bin', 'pip');
  if ((await run(pip, ['install', '--quiet', `schemathesis==${VERSION}`])) !== 0)
    throw new Error(`pip could not install schemathesis==${VERSION} (is PyPI reachable?)`);
  return st;
}

interface Seeded {
  candidate: string;
  erasable: string;
  /** A candidate only recruiters' enrollments act on (no flood of events queued before them). */
  enrollable: string;
  journey: string;
  message: string;
  job: string;
  unsubscribe: string | undefined;
  /** A static pool with the seeded candidate, and a campaign on it that starts in a year. */
  pool: string;
  campaign: string;
  /** A recruiting event in a year, with 50 seats. */
  recruitingEvent: string;
}

/** Real records for the generated requests to act on. */
async function seed(api: string, key: string): Promise<Seeded> {
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${api}${url}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300)
      throw new Error(`seeding: ${method} ${url} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  };
  const applied = (email: string) =>
    call<{ candidate_id: string }>('POST', '/v1/events', {
      type: 'candidate.applied',
      candidate: { email, first_name: 'Seed', owner: 'recruiter@example.com' },
      data: { job: { title: 'Contract tester' } },
    });
  const { candidate_id: candidate } = await applied('seed@example.com');
  const { candidate_id: erasable } = await applied('erasable@example.com');
  const { candidate_id: enrollable } = await applied('enrollable@example.com');
  const job = await call<{ id: string }>('POST', '/v1/jobs', {
    external_id: 'contract-job',
    title: 'Contract tester',
    skills: ['testing'],
  });
  const pool = await call<{ id: string }>('POST', '/v1/pools', { name: 'contract-pool' });
  await call('POST', `/v1/pools/${pool.id}/members`, { candidate_ids: [candidate] });
  const campaign = await call<{ id: string }>('POST', '/v1/campaigns', {
    name: 'Contract campaign',
    playbook: 'attract-talent-community',
    pool: pool.id,
    start_at: new Date(Date.now() + 365 * 86_400_000).toISOString(),
  });
  const recruitingEvent = await call<{ id: string }>('POST', '/v1/recruiting-events', {
    name: 'contract-meetup',
    title: 'Contract meetup',
    starts_at: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    timezone: 'Europe/Berlin',
    location: 'Acme office',
    capacity: 50,
  });
  type View = { journeys: { id: string }[]; messages: { id: string }[] };
  /** The unsubscribe link of a message, from the text it was rendered with. */
  const unsubscribeToken = async (message: string) => {
    const { body_text: text } = await call<{ body_text: string | null }>('GET', `/v1/messages/${message}`);
    return /\/u\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(text ?? '')?.[1];
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const view = await call<View>('GET', `/v1/candidates/${candidate}`);
    if (view.journeys[0] && view.messages[0])
      return {
        candidate,
        erasable,
        enrollable,
        journey: view.journeys[0].id,
        message: view.messages[0].id,
        job: job.id,
        unsubscribe: await unsubscribeToken(view.messages[0].id),
        pool: pool.id,
        campaign: campaign.id,
        recruitingEvent: recruitingEvent.id,
      };
    if (Date.now() > deadline) throw new Error('seeding: no journey or message within 60 s');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** schemathesis.toml: the key, and the seeded ids for the operations that name one. */
function config(key: string, seeded: Seeded): string {
  const ids: [string, Record<string, string>][] = [
    ['/v1/candidates/{id}', { id: seeded.candidate }],
    ['/v1/candidates/{id}/notes', { id: seeded.candidate }],
    ['/v1/candidates/{id}/export', { id: seeded.candidate }],
    ['/v1/candidates/{id}/journeys', { id: seeded.candidate }],
    ['/v1/journeys/{id}', { id: seeded.journey }],
    ['/v1/journeys/{id}/pause', { id: seeded.journey }],
    ['/v1/journeys/{id}/resume', { id: seeded.journey }],
    ['/v1/messages/{id}', { id: seeded.message }],
    ['/v1/jobs/{id}', { id: seeded.job }],
    ['/v1/playbooks/{id}', { id: 'engage-acknowledge-application' }],
    ['/v1/playbooks/{id}/simulate', { id: 'engage-acknowledge-application' }],
    ['/v1/sources/{source}/webhook', { source: 'generic' }],
    ['/v1/pools/{id}/preview', { id: 'backend-berlin' }],
    ['/v1/pools/{id}/members', { id: seeded.pool }],
    ['/v1/pools/{id}/import', { id: seeded.pool }],
    ['/v1/campaigns/{id}', { id: seeded.campaign }],
    ['/v1/campaigns/{id}/pause', { id: seeded.campaign }],
    ['/v1/campaigns/{id}/resume', { id: seeded.campaign }],
    ['/v1/recruiting-events/{id}', { id: seeded.recruitingEvent }],
    ['/v1/recruiting-events/{id}/rsvps', { id: seeded.recruitingEvent }],
    ['/v1/recruiting-events/{id}/check-ins', { id: seeded.recruitingEvent }],
    ['/v1/recruiting-events/{id}/check-ins/import', { id: seeded.recruitingEvent }],
    ['/v1/recruiting-events/{id}/close', { id: seeded.recruitingEvent }],
    ...(seeded.unsubscribe
      ? ([['/u/{token}', { token: seeded.unsubscribe }]] as [string, Record<string, string>][])
      : []),
  ];
  const toml = (value: Record<string, string>) =>
    `{ ${Object.entries(value)
      .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
      .join(', ')} }`;
  return [
    `headers = { Authorization = ${JSON.stringify(`Bearer ${key}`)} }`,
    'request-timeout = 30.0',
    // A body over the API's 1 MiB limit is refused with 413 before it is read.
    '[checks.negative_data_rejection]',
    'expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]',
    '',
    // The first entry that names an option decides it for an operation: the ones for a single
    // operation come before those for a whole path.
    // Erasure acts on a candidate of its own, so that the other operations keep theirs.
    '[[operations]]',
    'include-name = "DELETE /v1/candidates/{id}"',
    `parameters = ${toml({ id: seeded.erasable })}`,
    '',
    // A recruiter's enrollment answers once the candidate's workflow has started the journey, behind the
    // events queued for it: slower by design than a read. Its candidate is one the many generated
    // corrections and events do not reach, so it measures the enrollment rather than that backlog.
    '[[operations]]',
    'include-name = "POST /v1/candidates/{id}/journeys"',
    `parameters = ${toml({ id: seeded.enrollable })}`,
    'checks.max_response_time = 30.0',
    '',
    ...ids.flatMap(([p, params]) => [
      '[[operations]]',
      `include-path = ${JSON.stringify(p)}`,
      `parameters = ${toml(params)}`,
      '',
    ]),
    // A recruiting event's time zone must exist and its end come after its start: rules a JSON Schema
    // cannot state, refused with 422 naming the field.
    '[[operations]]',
    'include-name = "POST /v1/recruiting-events"',
    'checks.positive_data_acceptance.expected-statuses = ["201", "409", "422"]',
    '',
    // A pool is read as seeded; DELETE deletes only the pools the run creates itself.
    '[[operations]]',
    'include-name = "GET /v1/pools/{id}"',
    `parameters = ${toml({ id: seeded.pool })}`,
    '',
  ].join('\n');
}

async function main(): Promise<number> {
  const bin = await schemathesis();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-contract-'));
  await fs.chmod(dataDir, 0o755);
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const up = startCli(
    ['up'],
    cleanEnv({
      RAPPORT_DATA_DIR: dataDir,
      PORT: String(port),
      RAPPORT_TEMPORAL_PORT: String(await freePort()),
      RAPPORT_TEMPORAL_UI_PORT: String(await freePort()),
      RAPPORT_POSTGRES_PORT: String(await freePort()),
      RAPPORT_RATE_LIMIT: '0',
      // The generic source is configured, as in production: unsigned webhooks are refused with 401.
      RAPPORT_SOURCE_GENERIC_SECRET: 'contract-test-secret',
      // Inbound email is configured too: posts without the provider's secret are refused with 401.
      RAPPORT_INBOUND_EMAIL_SECRET: 'contract-inbound-secret',
      LOG_LEVEL: 'error',
      ...(process.env.TEMPORAL_CLI_PATH ? { TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH } : {}),
    }),
  );
  try {
    console.log(`Starting rapport up on a fresh data directory (${dataDir})…`);
    await up.waitForOutput('Rapport is up', 600_000);
    const key = /API key\s+(rk_\S+)/.exec(up.output())?.[1];
    if (!key) throw new Error(`rapport up printed no API key:\n${up.output()}`);
    const seeded = await seed(api, key);
    console.log(`Seeded: ${JSON.stringify(seeded)}`);
    const configFile = path.join(dataDir, 'schemathesis.toml');
    await fs.writeFile(configFile, config(key, seeded));
    const code = await run(bin, [
      '--config-file',
      configFile,
      'run',
      `${api}/openapi.json`,
      '--checks',
      'all',
      '--max-examples',
      process.env.CONTRACT_MAX_EXAMPLES ?? '20',
      '--seed',
      process.env.CONTRACT_SEED ?? '1',
      // One worker: Hypothesis describes strategies with `ast.parse`, which on this CPython (3.11) can
      // fail with "AST constructor recursion depth mismatch" when two threads parse at once.
      '--workers',
      '1',
    ]);
    // What the server logged as errors (a 500 names its cause there).
    const errors = up
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":50'));
    if (errors.length)
      console.log(`\nThe server logged ${errors.length} errors:\n${errors.slice(0, 20).join('\n')}`);
    return code;
  } finally {
    up.child.kill('SIGTERM');
    await Promise.race([up.exited, new Promise((r) => setTimeout(r, 30_000))]);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
