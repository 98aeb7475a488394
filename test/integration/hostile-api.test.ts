// Hostile requests to every operation of the route table (src/http/operations.ts), against the real stack
// (fast-check and a corpus): random JSON bodies, bodies of the right shape with hostile text in every
// string, malformed JSON, wrong media types, path ids that traverse or are not ids at all, hostile query
// values, bodies of megabytes, and vendor webhooks signed the vendor's way with hostile payloads. Every
// answer comes in time and is below 500 (503 with Retry-After allowed); a 4xx of the API is
// problem+json; a refused event, candidate or webhook stores nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takesForms } from '../../src/http/body-limit.js';
import type { Operation } from '../../src/http/operation.js';
import { OPERATIONS } from '../../src/http/operations.js';
import { LONE_SURROGATE } from '../../src/http/storable.js';
import { adminKey } from '../helpers/api.js';
import { postSignIn } from '../helpers/console.js';
import { HostileTally, hostileSeed, hostileString } from '../helpers/hostile.js';
import {
  chunked,
  deepJson,
  hostileDelivery,
  MALFORMED_JSON,
  requestArb,
  sanitizedHeaders,
  shapedJson,
  SIGNERS,
  SOURCE_SECRETS,
  TRAVERSALS,
  type RequestContext,
  type Sent,
} from '../helpers/hostile-requests.js';
import { shapedBy } from '../helpers/schema-arbitrary.js';
import { eventually, INBOUND_EMAIL_SECRET, startStack, type Stack } from '../helpers/stack.js';

const seed = hostileSeed();
const tally = new HostileTally('api', seed);
/** An answer that has not come in this long is a hang. */
const ANSWER_BOUND_MS = 10_000;
const MB = 1024 * 1024;

/** Resources that exist, so that hostile requests also reach handlers past their 404s. */
interface Fixtures {
  candidate: string;
  /** A candidate the operations that erase or remove act on, so that the others keep theirs. */
  victim: string;
  journey: string;
  message: string;
  job: string;
  pool: string;
  recruitingEvent: string;
  campaign: string;
  unsubscribeToken: string;
  answerToken: string;
}

let stack: Stack;
let key: string;
let fixtures: Fixtures;
let session: { cookie: string; csrf: string };

beforeAll(async () => {
  console.log(`hostile input (api): seed ${seed}`);
  Object.assign(process.env, SOURCE_SECRETS);
  stack = await startStack();
  key = await adminKey(stack.db.sql);
  fixtures = await createFixtures();
  const signedIn = await postSignIn(stack.rawApp, key, '/');
  const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await stack.rawApp.request('/candidates', { headers: { cookie } })).text();
  session = { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '' };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  for (const name of Object.keys(SOURCE_SECRETS)) delete process.env[name];
  const answered = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`);
  console.log(`hostile input (api): answers by status ${answered.join(', ')}`);
  if (process.env.HOSTILE_VERBOSE)
    for (const [name, seen] of byOperation) console.log(`  ${name}: ${[...seen].sort().join(' ')}`);
  console.log(tally.report());
});

async function post<T>(url: string, body: unknown): Promise<T> {
  const res = await stack.app.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

async function createFixtures(): Promise<Fixtures> {
  const applied = (email: string) =>
    post<{ candidate_id: string }>('/v1/events', {
      type: 'candidate.applied',
      source: 'hostile',
      candidate: { email, first_name: 'Ada' },
      data: { job: { title: 'Backend engineer' } },
    });
  const { candidate_id: candidate } = await applied('ada@example.com');
  const { candidate_id: victim } = await applied('victim@example.com');
  type View = { journeys: { id: string }[]; messages: { id: string }[] };
  const view = await eventually(async () => {
    const body = (await (await stack.app.request(`/v1/candidates/${candidate}`)).json()) as View;
    return body.journeys.length && body.messages.length ? body : undefined;
  });
  const job = await post<{ id: string }>('/v1/jobs', { external_id: 'req-1', title: 'Platform engineer' });
  const pool = await post<{ id: string }>('/v1/pools', { name: 'hostile-pool' });
  const recruitingEvent = await post<{ id: string }>('/v1/recruiting-events', {
    name: 'hostile-meetup',
    title: 'Meetup',
    starts_at: '2027-01-05T18:00:00Z',
    timezone: 'Europe/Berlin',
    location: 'Berlin',
  });
  const campaign = await post<{ id: string }>('/v1/campaigns', {
    name: 'Hostile',
    playbook: 'attract-event-invitation',
    pool: 'hostile-pool',
  });
  const message = view.messages[0]!.id;
  const signer = stack.deps.links!.signer;
  return {
    candidate,
    victim,
    journey: view.journeys[0]!.id,
    message,
    job: job.id,
    pool: pool.id,
    recruitingEvent: recruitingEvent.id,
    campaign: campaign.id,
    unsubscribeToken: signer.sign({ k: 'u', m: message }),
    answerToken: signer.sign({ k: 'e', m: message, e: 'candidate.open_to_work' }),
  };
}

// — What each answer must be.

/** The operation a path reaches, if any: a path made of hostile ids may reach another one. */
function operationAt(method: string, url: string): Operation | undefined {
  const pathname = new URL(url, 'http://rapport.test').pathname;
  const matching = OPERATIONS.filter((op) =>
    new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}/?$`).test(pathname),
  );
  return matching.find((op) => op.method.toUpperCase() === method) ?? matching[0];
}
/** Pages for browsers (the console, a candidate's link pages, sign-in) answer HTML; the API problem+json. */
const answersHtml = (op: Operation | undefined) =>
  !!op && (takesForms(op) || op.answers[200]?.mediaType === 'text/html' || op.console === true);

/** Why an answer breaks the property, or undefined when it holds. */
async function verdict(request: Sent): Promise<{ status: number; reason?: string }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'hang'>(
    (resolve) => (timer = setTimeout(() => resolve('hang'), ANSWER_BOUND_MS)),
  );
  const answer = Promise.resolve()
    .then(() =>
      stack.rawApp.request(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body, duplex: 'half' }),
      }),
    )
    .then(async (res) => ({ res, text: await res.text() }))
    .catch((error: unknown) => error as Error);
  const outcome = await Promise.race([answer, timeout]);
  clearTimeout(timer);
  const what = `${request.method} ${request.url.slice(0, 200)}`;
  if (outcome === 'hang') return { status: 0, reason: `${what}: no answer within ${ANSWER_BOUND_MS} ms` };
  if (outcome instanceof Error) return { status: 0, reason: `${what}: the app threw ${outcome.stack}` };
  const { res, text } = outcome;
  const type = res.headers.get('content-type') ?? '';
  const ms = Math.round(performance.now() - started);
  if (res.status >= 500 && !(res.status === 503 && res.headers.get('retry-after')))
    return {
      status: res.status,
      reason: `${what}: answered ${res.status} in ${ms} ms: ${text.slice(0, 600)}`,
    };
  if (res.status >= 400 && res.status < 500) {
    const html = answersHtml(operationAt(request.method, request.url));
    if (html && /^text\/html/.test(type)) return { status: res.status };
    if (type !== 'application/problem+json')
      return {
        status: res.status,
        reason: `${what}: ${res.status} as ${type || 'no type'}: ${text.slice(0, 300)}`,
      };
    const problem = JSON.parse(text) as { status?: unknown; title?: unknown };
    if (problem.status !== res.status || typeof problem.title !== 'string')
      return {
        status: res.status,
        reason: `${what}: a problem that does not say its status: ${text.slice(0, 300)}`,
      };
  }
  return { status: res.status };
}

/** How many answers of each status the requests got: how far past the door they went. */
const statuses = new Map<number, number>();
const byOperation = new Map<string, Set<number>>();

async function holds(request: Sent): Promise<number> {
  tally.tried(request);
  const { status, reason } = await verdict(request);
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const reached = operationAt(request.method, request.url);
  if (reached) {
    const name = `${reached.method.toUpperCase()} ${reached.path}`;
    byOperation.set(name, (byOperation.get(name) ?? new Set()).add(status));
  }
  if (reason) tally.fail(reason);
  return status;
}

/** A valid value for a path parameter, when the table has one. */
function validParam(op: Operation, name: string): string | undefined {
  const f = fixtures;
  const destroys = op.method === 'delete' || /\/(erase|close|cancel)$/.test(op.path);
  if (name === 'candidate_id') return f.candidate;
  if (name === 'source') return 'generic';
  if (name === 'token') return op.path.startsWith('/u/') ? f.unsubscribeToken : f.answerToken;
  const resource = op.path
    .split('/')
    .filter(Boolean)
    .at(op.path.startsWith('/v1/') ? 1 : 0);
  const ids: Record<string, string> = {
    candidates: destroys ? f.victim : f.candidate,
    journeys: f.journey,
    jobs: f.job,
    pools: f.pool,
    campaigns: f.campaign,
    'recruiting-events': f.recruitingEvent,
    events: f.recruitingEvent,
    messages: f.message,
    playbooks: 'engage-acknowledge-application',
  };
  return resource ? ids[resource] : undefined;
}

/** Who the request comes as: the API with a key, the console signed in, the inbound-mail provider. */
function credentials(op: Operation): Record<string, string> {
  if ('scope' in op.access) return { authorization: `Bearer ${key}` };
  if ('session' in op.access) return { cookie: session.cookie };
  if (op.path === '/inbound/email') return { authorization: `Bearer ${INBOUND_EMAIL_SECRET}` };
  return {};
}

const context: RequestContext = { validParam, credentials, csrf: () => session.csrf };

const rowsStored = async () => {
  const [row] = await stack.db.sql<{ candidates: string; events: string; payloads: string }[]>`
    select (select count(*) from candidates) as candidates, (select count(*) from events) as events,
      (select count(*) from source_payloads) as payloads`;
  return row!;
};

/** A refused request writes nothing: the rows it could write are as many after it as before. */
async function refusedWritesNothing(request: Sent): Promise<void> {
  const before = await rowsStored();
  const status = await holds(request);
  if (status < 400) return;
  const after = await rowsStored();
  if (JSON.stringify(after) !== JSON.stringify(before))
    tally.fail(
      `${request.method} ${request.url} answered ${status} but stored rows: ${JSON.stringify({ before, after })}`,
    );
}

const op = (method: string, p: string) => OPERATIONS.find((o) => o.method === method && o.path === p)!;
const runs = (numRuns: number) => ({ seed, numRuns, endOnFailure: true });

describe('hostile requests', () => {
  it('to POST /v1/events and POST /v1/candidates: answered below 500, and refused ones store nothing', async () => {
    const events = op('post', '/v1/events');
    const candidates = op('post', '/v1/candidates');
    const validEvent = shapedBy('event.schema.json', fc.string({ maxLength: 8 }));
    const batch = fc
      .tuple(
        fc.array(validEvent, { maxLength: 3 }),
        fc.jsonValue({ maxDepth: 2 }),
        fc.array(validEvent, { maxLength: 3 }),
      )
      .map(([a, bad, b]) => ({ type: 'application/json', text: JSON.stringify([...a, bad, ...b]) }));
    const request = fc.oneof(
      requestArb(events, context),
      requestArb(candidates, context),
      batch.map((body) => ({
        method: 'POST',
        url: '/v1/events',
        headers: { authorization: `Bearer ${key}`, 'content-type': body.type },
        body: body.text,
      })),
    );
    await fc.assert(fc.asyncProperty(request, refusedWritesNothing), runs(250));
  }, 120_000);

  it('to every operation of the route table: answered in time, below 500, 4xx as problem+json', async () => {
    const request = fc.constantFrom(...OPERATIONS).chain((o) => requestArb(o, context));
    await fc.assert(
      fc.asyncProperty(request, async (r) => void (await holds(r))),
      runs(3000),
    );
  }, 180_000);

  it.each(OPERATIONS.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))(
    '%s: every traversal in every path parameter, and a body of 3 MB, are refused',
    async (_, o) => {
      const names = o.path.match(/\{(\w+)\}/g) ?? [];
      const method = o.method.toUpperCase();
      const headers = credentials(o);
      for (const name of names)
        for (const traversal of TRAVERSALS)
          await holds({ method, url: o.path.replace(name, traversal), headers });
      if (o.method === 'get') return;
      const url = o.path.replace(/\{\w+\}/g, (n) => encodeURIComponent(validParam(o, n.slice(1, -1)) ?? 'x'));
      const big = `{"a":"${'x'.repeat(3 * MB)}"}`;
      const type = { 'content-type': 'application/json' };
      const status = await holds({ method, url, headers: { ...headers, ...type }, body: big });
      expect(status).toBe(413);
      const chunks = chunked(3 * MB);
      expect(await holds({ method, url, headers: { ...headers, ...type }, body: chunks })).toBe(413);
    },
    60_000,
  );
});

describe('hostile vendor webhooks', () => {
  const webhook = (source: string, body: string, headers: Record<string, string>): Sent => ({
    method: 'POST',
    url: `/v1/sources/${source}/webhook`,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

  it('of every shipped vendor, with hostile people and jobs, are answered below 500 and refused ones store nothing', async () => {
    const request = hostileDelivery.map((d) => webhook(d.source, d.body, d.headers));
    await fc.assert(fc.asyncProperty(request, refusedWritesNothing), runs(150));
  }, 120_000);

  it('with any body, signed right or not, are answered below 500 and refused ones store nothing', async () => {
    const payload = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      shapedJson('event.schema.json'),
      fc.constantFrom(...MALFORMED_JSON),
      deepJson,
    );
    const request = fc
      .record({
        source: fc.constantFrom(...Object.keys(SIGNERS), 'lever', 'unknown', ...TRAVERSALS.slice(0, 8)),
        body: payload,
        signed: fc.boolean(),
        headers: fc.dictionary(
          fc.constantFrom('Signature', 'X-Rapport-Timestamp', 'Ashby-Signature'),
          hostileString,
          {
            maxKeys: 2,
          },
        ),
      })
      .map(({ source, body, signed, headers }) =>
        webhook(source, body, signed && SIGNERS[source] ? SIGNERS[source](body) : sanitizedHeaders(headers)),
      );
    await fc.assert(fc.asyncProperty(request, refusedWritesNothing), runs(150));
  }, 120_000);
});

describe('what the hostile input found', () => {
  const signedWebhook = (source: string, body: string) =>
    stack.rawApp.request(`/v1/sources/${source}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...SIGNERS[source]!(body) },
      body,
    });
  const problemOf = async (res: Response) => ({
    status: res.status,
    type: res.headers.get('content-type'),
    errors: ((await res.json()) as { errors?: unknown }).errors,
  });

  it('a signed webhook whose payload is no JSON object is refused with 422, and nothing is stored', async () => {
    // `null` reached the table of kept payloads, whose column refused it with a 500.
    const before = await rowsStored();
    expect(await problemOf(await signedWebhook('greenhouse', 'null'))).toEqual({
      status: 422,
      type: 'application/problem+json',
      errors: [{ pointer: '/', detail: 'must be a JSON object, as every webhook payload is' }],
    });
    expect(await rowsStored()).toEqual(before);
  });

  it('a signed webhook with a lone surrogate is refused with 422 naming the field, and nothing is stored', async () => {
    // The payload reached a jsonb column, which refused the lone surrogate with a 500.
    const before = await rowsStored();
    const body =
      '{"action": "applicationSubmit", "data": {"application": {"candidate": {"name": "Ada \\udc00"}}}}';
    expect(await problemOf(await signedWebhook('ashby', body))).toEqual({
      status: 422,
      type: 'application/problem+json',
      errors: [{ pointer: '/data/application/candidate/name', detail: LONE_SURROGATE }],
    });
    expect(await rowsStored()).toEqual(before);
  });

  it('an event whose data holds a lone surrogate is refused with 422 naming the field', async () => {
    const res = await stack.app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type": "candidate.applied", "candidate": {"email": "lone@example.com"}, "data": {"note": "\\ud800"}}',
    });
    expect(await problemOf(res)).toMatchObject({ status: 422, errors: [{ pointer: '/data/note' }] });
  });

  it('a console form that says it is multipart but is not is answered as an expired form, not a 500', async () => {
    // Reading its CSRF token threw, and the error became a 500.
    const res = await stack.rawApp.request(`/candidates/${fixtures.candidate}/notes`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'multipart/form-data; boundary=x' },
      body: `_csrf=${session.csrf}&text=hello`,
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Form expired');
  });
});
