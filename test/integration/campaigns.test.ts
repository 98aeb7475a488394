// Talent pools and campaigns through the HTTP API on the real stack (Temporal, PostgreSQL, SMTP): smart
// and static pools with their previews and CSV import; bad input refused with the field named and nothing
// started; a campaign enrolling a pool once each, skipping and counting the rest by reason (consent,
// unsubscribed, a hiring process holding marketing, the contact budget); pause, resume and cancel; and a
// request delivered again after the candidate's workflow completed, which enrolls nobody twice.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANDIDATE_WORKFLOW,
  enrollSignal,
  type CandidateWorkflow,
  type EnrollRequest,
} from '../../workflows/contract.js';
import { claimEnrollment, setCampaignStatus, type CampaignNumbers } from '../../src/db/campaigns.js';
import { upsertCandidate } from '../../src/db/candidates.js';
import { PoolNameTaken, syncFilePools } from '../../src/db/pools.js';
import { createApiKey } from '../../src/db/api-keys.js';
import { jsonCaller, type JsonCall } from '../helpers/api.js';
import { postSignIn } from '../helpers/console.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

const PIPELINES = path.resolve(import.meta.dirname, '../fixtures/pipelines-campaign');

let stack: Stack;
let call: JsonCall;
beforeAll(async () => {
  stack = await startStack(PIPELINES);
  call = jsonCaller(stack.app);
});
afterAll(async () => {
  await stack?.stop();
});

interface Problem {
  status: number;
  errors?: { pointer: string; detail: string }[];
  detail?: string;
}
interface Campaign {
  id: string;
  status: string;
  workflow_id: string;
  numbers: CampaignNumbers;
}

/** Candidates straight into the table: `n` of them named `<prefix><i>`, with these columns. */
async function candidates(
  prefix: string,
  n: number,
  extra: { consent?: boolean; unsubscribed?: boolean; tags?: string[]; location?: string } = {},
) {
  const rows = await stack.db.sql<{ id: string }[]>`
    insert into candidates (email, first_name, consent_email, unsubscribed_at, tags, location, timezone)
    select ${prefix} || i || '@example.com', ${prefix} || i, ${extra.consent ?? true},
      ${extra.unsubscribed ? stack.db.sql`now()` : null}, ${extra.tags ?? []}, ${extra.location ?? null}, 'UTC'
    from generate_series(1, ${n}) i
    returning id`;
  return rows.map((r) => r.id);
}

async function campaignOf(id: string): Promise<Campaign> {
  const res = await call<Campaign>('GET', `/v1/campaigns/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

describe('talent pools', () => {
  it('previews a smart pool: count, contactable, a sample, before and after saving it', async () => {
    await candidates('berlin', 5, { tags: ['backend'], location: 'Berlin, Germany' });
    await candidates('berlinquiet', 2, { tags: ['backend'], location: 'berlin', consent: false });
    await candidates('paris', 3, { tags: ['backend'], location: 'Paris' });
    await candidates('remote', 2, { tags: ['backend', 'do-not-contact'], location: 'Remote' });
    const filter = {
      tags: { all: ['backend'], none: ['do-not-contact'] },
      location: { any: ['berlin', 'remote'] },
    };

    const preview = await call<{ count: number; contactable: number; sample: { email: string }[] }>(
      'POST',
      '/v1/pools/preview',
      { filter, sample: 3 },
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ count: 7, contactable: 5 });
    expect(preview.body.sample).toHaveLength(3);

    const created = await call<{ id: string; kind: string }>('POST', '/v1/pools', {
      name: 'backend-berlin-api',
      filter,
    });
    expect(created.status).toBe(201);
    expect(created.body.kind).toBe('smart');
    const saved = await call<{ count: number }>('GET', '/v1/pools/backend-berlin-api/preview?sample=0');
    expect(saved.body).toMatchObject({ count: 7, sample: [] });
    expect((await call('POST', '/v1/pools', { name: 'backend-berlin-api' })).status).toBe(409);
  });

  it('names the field of a bad filter, and stores nothing', async () => {
    const unknownField = await call<Problem>('POST', '/v1/pools', {
      name: 'typo',
      filter: { tagz: { any: ['x'] } },
    });
    expect(unknownField.status).toBe(422);
    expect(unknownField.headers.get('content-type')).toContain('application/problem+json');
    expect(unknownField.body.errors?.[0]?.pointer).toBe('/filter/tagz');
    expect(unknownField.body.errors?.[0]?.detail).toContain('tagz');

    const unknownPlaybook = await call<Problem>('POST', '/v1/pools', {
      name: 'typo',
      filter: { journeys: { never_in: ['campaign-news', 'no-such-playbook'] } },
    });
    expect(unknownPlaybook.status).toBe(404);
    expect(unknownPlaybook.body.errors).toEqual([
      { pointer: '/filter/journeys/never_in/1', detail: expect.stringContaining('no-such-playbook') },
    ]);
    const badDate = await call<Problem>('POST', '/v1/pools/preview', {
      filter: { last_contacted: { before: '2026-02-30' } },
    });
    expect(badDate.status).toBe(422);
    expect(badDate.body.errors?.map((e) => e.pointer)).toContain('/filter/last_contacted/before');
    expect((await call('GET', '/v1/pools/typo')).status).toBe(404);
  });

  it('shows a preview sample only to a key that may read candidates', async () => {
    const { key } = await createApiKey(stack.db.sql, { name: 'counter', scopes: ['pools:read'] });
    const res = await stack.rawApp.request('/v1/pools/backend-berlin-api/preview', {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ count: 7, sample: [] });
  });

  it('keeps file pools in step without taking over a pool the API created', async () => {
    const file = {
      name: 'from-file',
      file: 'pools/from-file.yaml',
      filter: { tags: { none: ['x'], any: ['y'] } },
    };
    expect(await syncFilePools(stack.db.sql, [file])).toEqual({ created: ['from-file'], changed: [] });
    // jsonb keeps keys in its own order: the same filter is still the same.
    expect(await syncFilePools(stack.db.sql, [file])).toEqual({ created: [], changed: [] });
    await expect(
      syncFilePools(stack.db.sql, [{ name: 'backend-berlin-api', file: 'pools/backend-berlin-api.yaml' }]),
    ).rejects.toThrow(PoolNameTaken);
    expect((await call<{ kind: string }>('GET', '/v1/pools/backend-berlin-api')).body.kind).toBe('smart');
  });

  it('takes members from a playbook step, and fails the journey that names a smart pool', async () => {
    for (const [email, tags] of [
      ['joiner@example.com', []],
      ['smarty@example.com', ['try-smart']],
    ] as const) {
      const res = await call('POST', '/v1/events', {
        type: 'candidate.sourced',
        candidate: { email, first_name: 'Joiner', tags, consent: { email: true } },
      });
      expect(res.status).toBe(202);
    }
    const failed = await eventually(async () => {
      const [row] = await stack.db.sql<{ exit_reason: string }[]>`
        select exit_reason from journeys where playbook = 'join-pool' and status = 'failed'`;
      return row;
    });
    expect(failed.exit_reason).toContain("backend-berlin-api: a smart pool's filter decides who is in it");
    const pool = await call<{ kind: string; members: number }>('GET', '/v1/pools/community');
    expect(pool.body).toMatchObject({ kind: 'static', members: 2 });
  });

  it('adds static members by id, by email and from CSV, naming the rows that name nobody', async () => {
    const ids = await candidates('static', 3);
    expect(
      (await call('POST', '/v1/pools', { name: 'hand-picked', description: 'Picked by Jo' })).status,
    ).toBe(201);
    const added = await call('POST', '/v1/pools/hand-picked/members', {
      candidate_ids: [ids[0]],
      emails: ['STATIC2@example.com', 'nobody@example.com'],
    });
    expect(added.body).toEqual({ added: 2, already: 0, unknown: ['nobody@example.com'] });
    const csv = 'Name,Email\nOne,static1@example.com\nThree,static3@example.com\nGhost,ghost@example.com\n';
    const imported = await call('POST', '/v1/pools/hand-picked/import', csv, 'text/csv');
    expect(imported.body).toEqual({ added: 1, already: 1, unknown: ['line 4'] });
    // Without a header naming a column: an id or an email per line.
    const plain = await call(
      'POST',
      '/v1/pools/hand-picked/import',
      'static3@example.com\nAda\n',
      'text/csv',
    );
    expect(plain.body).toEqual({ added: 0, already: 1, unknown: ['line 2'] });
    const pool = await call<{ members: number }>('GET', '/v1/pools/hand-picked');
    expect(pool.body.members).toBe(3);
    expect((await call('DELETE', `/v1/pools/hand-picked/members/${ids[1]}`)).status).toBe(204);
    expect((await call<{ count: number }>('GET', '/v1/pools/hand-picked/preview')).body.count).toBe(2);
    // Erasure forgets the candidate's place in hand-picked lists too.
    expect((await call('DELETE', `/v1/candidates/${ids[0]}`)).status).toBe(204);
    expect((await call<{ members: number }>('GET', '/v1/pools/hand-picked')).body.members).toBe(1);
    // A smart pool's filter decides who is in it.
    expect(
      (await call('POST', '/v1/pools/backend-berlin-api/members', { candidate_ids: [ids[0]] })).status,
    ).toBe(409);
  });
});

describe('campaigns', () => {
  it('refuses an unknown playbook, an unknown pool and a rate of zero, naming the field; nothing starts', async () => {
    // What does not exist is a 404, what is wrong a 422: both problem+json naming the field.
    const cases: [Record<string, unknown>, number, string][] = [
      [{ name: 'x', playbook: 'no-such-playbook', pool: 'hand-picked' }, 404, '/playbook'],
      [
        { name: 'x', playbook: 'interview', pool: 'hand-picked', contact_class: 'vip' },
        404,
        '/contact_class',
      ],
      [{ name: 'x', playbook: 'campaign-news', pool: 'no-such-pool' }, 404, '/pool'],
      [
        { name: 'x', playbook: 'campaign-news', pool: 'hand-picked', rate_per_minute: 0 },
        422,
        '/rate_per_minute',
      ],
      [{ name: 'x', playbook: 'campaign-news', pool: 'hand-picked', audience: 'all' }, 422, '/audience'],
    ];
    for (const [body, status, pointer] of cases) {
      const res = await call<Problem>('POST', '/v1/campaigns', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors?.map((e) => e.pointer)).toContain(pointer);
    }
    const [row] = await stack.db.sql<{ n: number }[]>`select count(*)::int as n from campaigns`;
    expect(row!.n).toBe(0);
    const running = stack.client.workflow.list({
      query: `WorkflowType = 'campaignWorkflow' and TaskQueue = '${stack.taskQueue}'`,
    });
    for await (const _ of running) throw new Error('a campaign workflow started');
  });

  it('enrolls a pool once each and counts who it skipped, with the reason', async () => {
    const tag = 'wave1';
    const eligible = await candidates('eligible', 12, { tags: [tag] });
    await candidates('noconsent', 3, { tags: [tag], consent: false });
    await candidates('unsub', 2, { tags: [tag], unsubscribed: true });
    // Two in a hiring process (the policy holds marketing meanwhile); one already had its budget of mail.
    for (const i of [1, 2]) {
      const res = await call('POST', '/v1/events', {
        type: 'candidate.applied',
        candidate: {
          email: `applicant${i}@example.com`,
          first_name: 'Applicant',
          tags: [tag],
          consent: { email: true },
        },
      });
      expect(res.status).toBe(202);
    }
    await eventually(async () => {
      const [r] = await stack.db.sql<
        { n: number }[]
      >`select count(*)::int as n from journeys where playbook = 'interview'`;
      return r!.n === 2 ? true : undefined;
    });
    const [busy] = await candidates('busy', 1, { tags: [tag] });
    await stack.db.sql`
      insert into messages (idempotency_key, candidate_id, channel, template, status, sent_at)
      select 'earlier-' || i, ${busy!}, 'email', 'news', 'sent', now() - interval '1 day' from generate_series(1, 2) i`;

    expect(
      (await call('POST', '/v1/pools', { name: 'wave1', filter: { tags: { all: [tag] } } })).status,
    ).toBe(201);
    const launched = await call<Campaign>('POST', '/v1/campaigns', {
      name: 'Wave one',
      playbook: 'campaign-news',
      pool: 'wave1',
      rate_per_minute: 600,
    });
    expect(launched.status).toBe(201);
    expect(launched.body.workflow_id).toBe(`campaign/${launched.body.id}`);

    const done = await eventually(async () => {
      const c = await campaignOf(launched.body.id);
      return c.status === 'completed' && c.numbers.requested === 0 && c.numbers.sent === 12 ? c : undefined;
    }, 60_000);
    expect(done.numbers).toMatchObject({
      total: 20,
      queued: 0,
      enrolled: 12,
      skipped: 8,
      skipped_by_reason: {
        no_consent: 3,
        unsubscribed: 2,
        'policy:hiring-process-first': 2,
        'policy:budget': 1,
      },
    });
    const journeys = await stack.db.sql<{ candidate_id: string }[]>`
      select candidate_id from journeys where campaign_id = ${launched.body.id}`;
    expect(journeys.map((j) => j.candidate_id).sort()).toEqual([...eligible].sort());
    expect(stack.smtp.received.filter((m) => m.subject?.startsWith('News for eligible'))).toHaveLength(12);

    // A request delivered again after the candidate's workflow completed starts a new run of it: the
    // claim in campaign_members answers that this candidate is enrolled already.
    const first = eligible[0]!;
    await eventually(async () => {
      const d = await stack.client.workflow.getHandle(`candidate/${first}`).describe();
      return d.status.name === 'COMPLETED' ? true : undefined;
    });
    await stack.client.workflow.signalWithStart<CandidateWorkflow, [EnrollRequest]>(CANDIDATE_WORKFLOW, {
      workflowId: `candidate/${first}`,
      taskQueue: stack.taskQueue,
      args: [{ candidateId: first }],
      signal: enrollSignal,
      signalArgs: [
        {
          id: `campaign/${launched.body.id}/${first}`,
          playbook: 'campaign-news',
          campaignId: launched.body.id,
        },
      ],
    });
    await eventually(async () => {
      const d = await stack.client.workflow.getHandle(`candidate/${first}`).describe();
      return d.status.name === 'COMPLETED' ? true : undefined;
    });
    // The new run read back the campaign's journey of the earlier run, and began none (it mirrored none).
    const history = await stack.client.workflow.getHandle(`candidate/${first}`).fetchHistory();
    const activities = (history.events ?? []).flatMap((e) =>
      e.activityTaskScheduledEventAttributes?.activityType?.name
        ? [e.activityTaskScheduledEventAttributes.activityType.name]
        : [],
    );
    expect(activities).toContain('candidateMemory');
    expect(activities).not.toContain('syncJourney');
    const again = await stack.db.sql<{ n: number }[]>`
      select count(*)::int as n from messages where candidate_id = ${first}`;
    expect(again[0]!.n).toBe(1);
  });

  it('pauses, resumes and cancels within seconds', async () => {
    const tag = 'wave2';
    await candidates('slow', 40, { tags: [tag] });
    expect(
      (await call('POST', '/v1/pools', { name: 'wave2', filter: { tags: { all: [tag] } } })).status,
    ).toBe(201);
    const launched = await call<Campaign>('POST', '/v1/campaigns', {
      name: 'Slow wave',
      playbook: 'campaign-wait',
      pool: 'wave2',
      rate_per_minute: 120,
    });
    const id = launched.body.id;
    await eventually(async () =>
      (await campaignOf(id)).numbers.requested + (await campaignOf(id)).numbers.enrolled >= 3
        ? true
        : undefined,
    );

    const paused = await call<Campaign>('POST', `/v1/campaigns/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect((await call<Problem>('POST', `/v1/campaigns/${id}/pause`)).status).toBe(409);
    // The batch in flight ends within its two seconds; then nobody more is enrolled.
    await new Promise((r) => setTimeout(r, 2500));
    const atPause = (await campaignOf(id)).numbers.queued;
    await new Promise((r) => setTimeout(r, 2000));
    expect((await campaignOf(id)).numbers.queued).toBe(atPause);
    expect(atPause).toBeGreaterThan(0);

    expect((await call<Campaign>('POST', `/v1/campaigns/${id}/resume`)).body.status).toBe('running');
    await eventually(
      async () => ((await campaignOf(id)).numbers.queued < atPause ? true : undefined),
      10_000,
    );
    const cancelled = await call<Campaign>('POST', `/v1/campaigns/${id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 2500));
    const after = (await campaignOf(id)).numbers.queued;
    await new Promise((r) => setTimeout(r, 1500));
    const final = await campaignOf(id);
    expect(final.numbers.queued).toBe(after);
    expect(final.numbers.queued).toBeGreaterThan(0);
    expect(final.status).toBe('cancelled');
    expect((await call<Problem>('POST', `/v1/campaigns/${id}/resume`)).status).toBe(409);

    const list = await call<{ items: Campaign[] }>('GET', '/v1/campaigns');
    expect(list.body.items.map((c) => c.id)).toContain(id);
  });
  it('a cancel and a member’s claim at once: the claim waits for the cancel, and starts nothing', async () => {
    const sql = stack.db.sql;
    const { id: candidateId } = await upsertCandidate(sql, { email: 'race@example.com' }, 'api');
    const [campaign] = await sql<{ id: string }[]>`
      insert into campaigns (name, playbook, pool_name, status) values ('race', 'campaign-news', 'race', 'running')
      returning id`;
    const campaignId = campaign!.id;
    await sql`
      insert into campaign_members (campaign_id, candidate_id, outcome) values (${campaignId}, ${candidateId}, 'requested')`;
    let claim: Promise<boolean> | undefined;
    await sql.begin(async (tx) => {
      await setCampaignStatus(tx, campaignId, 'cancelled');
      // The member's workflow claims while the cancel is not committed yet.
      claim = claimEnrollment(sql, { campaignId, candidateId, runId: 'run-1' });
      await new Promise((r) => setTimeout(r, 300));
    });
    expect(await claim).toBe(false);
    const [member] = await sql`
      select outcome, reason from campaign_members where campaign_id = ${campaignId} and candidate_id = ${candidateId}`;
    expect(member).toEqual({ outcome: 'skipped', reason: 'cancelled' });
  });

  it('stops the batch in flight on a pause, even one waiting for a slow rate', async () => {
    await candidates('trickle', 5, { tags: ['trickle'] });
    expect(
      (await call('POST', '/v1/pools', { name: 'trickle', filter: { tags: { all: ['trickle'] } } })).status,
    ).toBe(201);
    // Six a minute: each batch is one member, whose turn comes ten seconds after the one before.
    const launched = await call<Campaign>('POST', '/v1/campaigns', {
      name: 'Trickle',
      playbook: 'campaign-wait',
      pool: 'trickle',
      rate_per_minute: 6,
    });
    const id = launched.body.id;
    const reached = async () => {
      const n = (await campaignOf(id)).numbers;
      return n.requested + n.enrolled;
    };
    await eventually(async () => ((await reached()) >= 1 ? true : undefined));
    expect((await call<Campaign>('POST', `/v1/campaigns/${id}/pause`)).body.status).toBe('paused');
    // The second member's turn (ten seconds after the first) passes while paused: nobody more is asked.
    await new Promise((r) => setTimeout(r, 13_000));
    expect(await reached()).toBe(1);
    expect((await campaignOf(id)).numbers.queued).toBe(4);
    await call('POST', `/v1/campaigns/${id}/cancel`);
  });
});

describe('campaigns in the console', () => {
  async function signIn(scopes: string[]) {
    const { key } = await createApiKey(stack.db.sql, { name: 'marketer', scopes });
    const res = await postSignIn(stack.rawApp, key, '/');
    expect(res.status).toBe(303);
    return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  }
  const page = (path: string, cookie: string, init: RequestInit = {}) =>
    stack.rawApp.request(path, { ...init, headers: { ...(init.headers as object), cookie } });

  it('lists campaigns with their numbers and pools, and pauses one with a form', async () => {
    await candidates('console', 30, { tags: ['console-wave'] });
    expect(
      (await call('POST', '/v1/pools', { name: 'console-wave', filter: { tags: { all: ['console-wave'] } } }))
        .status,
    ).toBe(201);
    const launched = await call<Campaign>('POST', '/v1/campaigns', {
      name: 'Console <wave>',
      playbook: 'campaign-wait',
      pool: 'console-wave',
      rate_per_minute: 60,
    });
    const cookie = await signIn(['campaigns:read', 'campaigns:write', 'pools:read']);
    const list = await page('/campaigns', cookie);
    expect(list.status).toBe(200);
    const listed = await list.text();
    expect(listed).toContain(`href="/campaigns/${launched.body.id}"`);
    expect(listed).toContain('Console &lt;wave&gt;');
    expect(listed).toContain('<td>backend-berlin-api</td>');

    const detail = await page(`/campaigns/${launched.body.id}`, cookie);
    const body = await detail.text();
    expect(body).toContain('Taken from the pool');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
    const paused = await page(`/campaigns/${launched.body.id}/pause`, cookie, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(paused.status).toBe(303);
    expect((await campaignOf(launched.body.id)).status).toBe('paused');
    const again = await page(`/campaigns/${launched.body.id}`, cookie);
    expect(await again.text()).toContain('>Resume</button>');

    // A key that may only read sees no control, and the form is refused.
    const reader = await signIn(['campaigns:read']);
    const readOnly = await (await page(`/campaigns/${launched.body.id}`, reader)).text();
    expect(readOnly).not.toContain('>Resume</button>');
    expect(readOnly).not.toContain('Talent pools');
    await call('POST', `/v1/campaigns/${launched.body.id}/cancel`);
  });
});
