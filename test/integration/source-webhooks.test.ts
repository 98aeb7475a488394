// Job-board and ATS webhooks, signed like the real senders sign them: each shipped format creates the
// candidate, starts the acknowledgement journey and delivers its email; the same delivery twice is one
// event and one journey; bad signatures and stale timestamps are refused. Greenhouse, which retries
// anything but 200, is answered 200.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

const SECRETS = {
  RAPPORT_SOURCE_GENERIC_SECRET: 'generic-secret',
  RAPPORT_SOURCE_GREENHOUSE_SECRET: 'greenhouse-secret',
  RAPPORT_SOURCE_ASHBY_SECRET: 'ashby-secret',
};
let stack: Stack;
beforeAll(async () => {
  Object.assign(process.env, SECRETS);
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
  for (const key of Object.keys(SECRETS)) delete process.env[key];
});

const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
const deliver = (source: string, body: string, headers: Record<string, string>) =>
  stack.rawApp.request(`/v1/sources/${source}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
const now = () => String(Math.floor(Date.now() / 1000));

const formats = {
  generic: (email: string, attempt = 0) => {
    const body = JSON.stringify({
      id: `gen-${email}`,
      type: 'candidate.applied',
      candidate: { email, first_name: 'Gen' },
      data: { job: { title: 'Data engineer' } },
    });
    // A retry is signed again, at another time.
    const ts = String(Number(now()) - 30 * attempt);
    return {
      body,
      headers: {
        'X-Rapport-Timestamp': ts,
        'X-Rapport-Signature': `sha256=${hmac(SECRETS.RAPPORT_SOURCE_GENERIC_SECRET, `${ts}.${body}`)}`,
      },
      title: 'Data engineer',
      name: 'Gen',
    };
  },
  greenhouse: (email: string, _attempt = 0) => {
    const body = JSON.stringify({
      action: 'new_candidate_application',
      payload: {
        application: {
          id: 71980812,
          applied_at: '2026-11-20T15:31:41.000Z',
          candidate: {
            id: 60304594,
            first_name: 'Grete',
            last_name: 'Green',
            email_addresses: [{ value: email, type: 'personal' }],
            phone_numbers: [{ value: '+4930123456', type: 'mobile' }],
          },
          jobs: [{ id: 433, name: 'Site reliability engineer' }],
        },
      },
    });
    return {
      body,
      headers: {
        Signature: `sha256 ${hmac(SECRETS.RAPPORT_SOURCE_GREENHOUSE_SECRET, body)}`,
        'Greenhouse-Event-ID': `gh-${email}`,
      },
      title: 'Site reliability engineer',
      name: 'Grete',
    };
  },
  ashby: (email: string, _attempt = 0) => {
    const body = JSON.stringify({
      action: 'applicationSubmit',
      data: {
        application: {
          id: `app-${email}`,
          createdAt: '2026-11-21T09:00:00.000Z',
          candidate: { id: 'cand-1', name: 'Ada Ashby', primaryEmailAddress: { value: email } },
          job: { id: 'job-9', title: 'Frontend engineer' },
        },
      },
    });
    return {
      body,
      headers: { 'Ashby-Signature': `sha256=${hmac(SECRETS.RAPPORT_SOURCE_ASHBY_SECRET, body)}` },
      title: 'Frontend engineer',
      name: 'Ada',
    };
  },
};

describe.each(Object.entries(formats))('a signed %s webhook', (source, make) => {
  it('creates the candidate, starts the journey and delivers its email; twice is one event', async () => {
    const email = `${source}@example.com`;
    const first = make(email);
    const res = await deliver(source, first.body, first.headers);
    expect(res.status).toBe(source === 'greenhouse' ? 200 : 202);
    const accepted = (await res.json()) as { candidate_id: string; duplicate: boolean };
    expect(accepted.duplicate).toBe(false);
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email));
    expect(mail.subject).toBe(`${first.name}, we received your application for ${first.title}`);

    // The sender retries the same delivery (re-signed, as senders do).
    const again = make(email, 1);
    const second = await deliver(source, again.body, again.headers);
    expect(second.status).toBe(source === 'greenhouse' ? 200 : 202);
    expect(await second.json()).toMatchObject({ candidate_id: accepted.candidate_id, duplicate: true });
    await eventually(async () => {
      const [row] = await stack.db.sql<{ status: string }[]>`
        select status from journeys where candidate_id = ${accepted.candidate_id}`;
      return row?.status === 'completed' ? true : undefined;
    });
    const [counts] = await stack.db.sql<{ events: number; journeys: number; messages: number }[]>`
      select (select count(*)::int from events where candidate_id = ${accepted.candidate_id}) as events,
        (select count(*)::int from journeys where candidate_id = ${accepted.candidate_id}) as journeys,
        (select count(*)::int from messages where candidate_id = ${accepted.candidate_id}) as messages`;
    expect(counts).toEqual({ events: 1, journeys: 1, messages: 1 });
    expect(stack.smtp.received.filter((m) => m.to.includes(email))).toHaveLength(1);
  });

  it('refuses a body that does not match its signature', async () => {
    const signed = make(`tampered-${source}@example.com`);
    const res = await deliver(source, signed.body.replace('example.com', 'evil.example'), signed.headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('signature rules', () => {
  it('refuses a stale or future timestamp; the same body twice, signed again or not, is one event', async () => {
    const body = JSON.stringify({ type: 'candidate.sourced', candidate: { email: 'replay@example.com' } });
    const signedAt = (ts: string) => ({
      'X-Rapport-Timestamp': ts,
      'X-Rapport-Signature': `sha256=${hmac(SECRETS.RAPPORT_SOURCE_GENERIC_SECRET, `${ts}.${body}`)}`,
    });
    const stale = String(Math.floor(Date.now() / 1000) - 3600);
    expect((await deliver('generic', body, signedAt(stale))).status).toBe(401);
    const future = String(Math.floor(Date.now() / 1000) + 3600);
    expect((await deliver('generic', body, signedAt(future))).status).toBe(401);
    const headers = signedAt(now());
    const first = await deliver('generic', body, headers);
    expect(first.status).toBe(202);
    // The same signed request again is the sender retrying: one event; so is the body re-signed later.
    const again = await deliver('generic', body, headers);
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const resigned = await deliver('generic', body, signedAt(String(Number(now()) - 30)));
    expect(await resigned.json()).toMatchObject({ duplicate: true });
  });

  it('refuses a missing signature, answers 404 for an unknown source, and ignores payloads no rule maps', async () => {
    expect((await deliver('greenhouse', '{}', {})).status).toBe(401);
    expect((await deliver('no-such-board', '{}', {})).status).toBe(404);
    const body = JSON.stringify({ action: 'job_post_created', payload: {} });
    const res = await deliver('greenhouse', body, {
      Signature: `sha256 ${hmac(SECRETS.RAPPORT_SOURCE_GREENHOUSE_SECRET, body)}`,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ignored: true });
  });

  it('keeps a payload that maps to an invalid event, naming what it lacks', async () => {
    const body = JSON.stringify({ action: 'new_candidate_application', payload: { application: {} } });
    const res = await deliver('greenhouse', body, {
      Signature: `sha256 ${hmac(SECRETS.RAPPORT_SOURCE_GREENHOUSE_SECRET, body)}`,
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { ignored: boolean; reason: string; reason_kind: string };
    expect(answer).toMatchObject({ ignored: true, reason_kind: 'invalid-event' });
    expect(answer.reason).toContain('/candidate/email');
  });
});
