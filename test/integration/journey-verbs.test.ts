// The candidate workflow drives the interpreter through real Temporal, PostgreSQL and SMTP: a send, a
// waitFor that an event answers or a timer ends, a task, an update, a branch and an exit.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(path.resolve(import.meta.dirname, '../fixtures/pipelines-fast'));
});
afterAll(async () => {
  await stack?.stop();
});

async function post(type: string, email: string, id?: string, firstName = email.split('@')[0]) {
  const res = await stack.app.request('/v1/events', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      ...(id ? { id } : {}),
      type,
      candidate: { email, first_name: firstName, consent: { email: true } },
    }),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { candidate_id: string };
}

interface View {
  tags: string[];
  employment_status: string | null;
  journeys: { status: string; exit_reason: string | null }[];
  timeline: { kind: string; step: string | null }[];
}
const view = async (id: string) => (await (await stack.app.request(`/v1/candidates/${id}`)).json()) as View;
const ended = (id: string) =>
  eventually(async () => {
    const v = await view(id);
    return v.journeys.length && v.journeys.every((j) => ['completed', 'exited', 'failed'].includes(j.status))
      ? v
      : undefined;
  }, 30_000);

describe('a journey in the candidate workflow', () => {
  it('takes `then` when the awaited event comes: the reply becomes a task', async () => {
    const { candidate_id } = await post('candidate.applied', 'ada@example.com');
    await stack.smtp.waitFor((m) => m.to.includes('ada@example.com'));
    await post('candidate.replied', 'ada@example.com');
    const v = await ended(candidate_id);
    expect(v.journeys[0]).toMatchObject({ status: 'completed', exit_reason: 'completed' });
    expect(v.timeline.map((t) => t.kind)).toEqual(
      expect.arrayContaining(['journey.started', 'message.sent', 'task.created', 'journey.ended']),
    );
    const tasks = await stack.db.sql`select title, assignee from tasks where candidate_id = ${candidate_id}`;
    expect(tasks).toEqual([{ title: 'ada replied — call', assignee: 'recruiter@acme.example' }]);
  });

  it('takes `else` when the wait times out: the update, then the branch that exits', async () => {
    const { candidate_id } = await post('candidate.applied', 'grace@example.com');
    const v = await ended(candidate_id);
    expect(v.tags).toContain('unresponsive');
    expect(v.employment_status).toBe('unknown');
    expect(v.journeys[0]).toMatchObject({ status: 'exited', exit_reason: 'gave-up' });
    expect(v.timeline.map((t) => t.kind)).toContain('candidate.updated');
  });

  it('starts another playbook for the same candidate with an enroll step', async () => {
    const { candidate_id } = await post('candidate.screened', 'barbara@example.com');
    const v = await eventually(async () => {
      const current = await view(candidate_id);
      return current.journeys.length === 2 && current.journeys.every((j) => j.status === 'completed')
        ? current
        : undefined;
    });
    expect(v.journeys.map((j) => (j as { playbook?: string }).playbook).sort()).toEqual([
      'fast-nudge',
      'fast-screened',
    ]);
    await stack.smtp.waitFor((m) => m.to.includes('barbara@example.com'));
    expect(v.timeline.filter((t) => t.kind === 'task.created')).toHaveLength(1);
  });

  it('calls webhooks with secrets resolved only in the request, and fails the journey when the call is refused', async () => {
    const calls: { url: string; authorization: string | undefined; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls.push({ url: req.url ?? '', authorization: req.headers.authorization, body });
        res.writeHead(req.url?.startsWith('/refused/') ? 422 : 201).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env.TEST_ATS_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.TEST_ATS_TOKEN = 's3cret-token';
    try {
      const ok = await post('candidate.offered', 'edsger@example.com');
      const v = await ended(ok.candidate_id);
      expect(v.journeys[0]).toMatchObject({ status: 'exited', exit_reason: 'told' });
      expect(calls).toEqual([
        { url: '/edsger/offers', authorization: 'Bearer s3cret-token', body: expect.any(String) },
      ]);
      expect(JSON.parse(calls[0]!.body)).toEqual({
        email: 'edsger@example.com',
        name: 'edsger',
        stage: 'offer',
      });
      const history = JSON.stringify(
        await stack.client.workflow.getHandle(`candidate/${ok.candidate_id}`).fetchHistory(),
      );
      expect(history).not.toContain('s3cret-token');
      expect(JSON.stringify(v.timeline)).not.toContain('s3cret-token');
      expect(JSON.stringify(v.timeline)).toContain('Called POST {{ env.TEST_ATS_URL }}/edsger/offers → 201');

      // A candidate whose name looks like a secret reference is data: sent as text, never resolved.
      calls.length = 0;
      const name = '{{env:TEST_ATS_TOKEN}} {{ env.TEST_ATS_TOKEN }}';
      const data = await post('candidate.offered', 'mallory@example.com', undefined, name);
      expect((await ended(data.candidate_id)).journeys[0]).toMatchObject({ status: 'exited' });
      expect(calls).toHaveLength(1);
      expect(decodeURIComponent(calls[0]!.url)).toBe(`/${name}/offers`);
      expect(calls[0]!.authorization).toBe('Bearer s3cret-token');
      expect(JSON.parse(calls[0]!.body)).toEqual({ email: 'mallory@example.com', name, stage: 'offer' });

      const refused = await post('candidate.offered', 'refused@example.com');
      const failed = await ended(refused.candidate_id);
      expect(failed.journeys[0]).toMatchObject({ status: 'failed' });
      expect(failed.journeys[0]!.exit_reason).toContain('answered 422');
    } finally {
      server.close();
    }
  });

  it('ends at once on an exit event, even while waiting', async () => {
    const { candidate_id } = await post('candidate.applied', 'linus@example.com');
    await stack.smtp.waitFor((m) => m.to.includes('linus@example.com'));
    await post('candidate.hired', 'linus@example.com');
    const v = await ended(candidate_id);
    expect(v.journeys[0]).toMatchObject({ status: 'exited', exit_reason: 'candidate.hired' });
    expect(v.timeline.map((t) => t.kind)).not.toContain('candidate.updated');
  });

  it('sends `to: owner` to the candidate’s owner from the step’s sender, without their consent, and texts on the template’s channel', async () => {
    const res = await stack.app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'candidate.matched',
        candidate: {
          email: 'hedy@example.com',
          first_name: 'Hedy',
          phone: '+15550002222',
          owner: 'sam@acme.example',
          timezone: 'Mars/Olympus',
          consent: { email: false, sms: true },
        },
      }),
    });
    expect(res.status).toBe(202);
    const { candidate_id } = (await res.json()) as { candidate_id: string };
    const notice = await stack.smtp.waitFor((m) => m.subject === 'Hedy matches an opening');
    expect(notice.to).toEqual(['sam@acme.example']);
    expect(notice.from).toBe('matches@acme.example');
    // A notification carries none of the candidate's links.
    expect(notice.headers.has('list-unsubscribe')).toBe(false);

    const v = await eventually(async () => {
      const current = await view(candidate_id);
      return current.journeys.length === 2 &&
        current.journeys.every((j) => ['completed', 'failed'].includes(j.status))
        ? current
        : undefined;
    });
    const messages = await stack.db.sql<
      { step: string; channel: string; to_address: string; status: string }[]
    >`
      select step, channel, to_address, status from messages where candidate_id = ${candidate_id} order by step`;
    expect(messages).toEqual([
      { step: 'notify', channel: 'email', to_address: 'sam@acme.example', status: 'sent' },
      { step: 'text', channel: 'sms', to_address: '+15550002222', status: 'recorded' },
    ]);
    // Only the notifying journey sent: the other failed before its send.
    expect(stack.smtp.received.some((m) => m.to.includes('hedy@example.com'))).toBe(false);

    // The other journey's window is measured in a time zone that does not exist: that journey fails,
    // with the reason on the timeline, and this one went on.
    const journeys = v.journeys as { playbook: string; status: string; exit_reason: string | null }[];
    expect(journeys.find((j) => j.playbook === 'fast-matched-notify')).toMatchObject({ status: 'completed' });
    const broken = journeys.find((j) => j.playbook === 'fast-matched-windowed');
    expect(broken).toMatchObject({ status: 'failed' });
    expect(broken!.exit_reason).toMatch(/^step hello: .*Mars\/Olympus/);
    expect(v.timeline.map((t) => t.kind)).toContain('journey.ended');
  });
});
