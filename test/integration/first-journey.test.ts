// The first vertical slice through the real pieces: HTTP → PostgreSQL → Temporal → worker → SMTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowCounts } from '../helpers/database.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

const post = (body: unknown, contentType = 'application/json') =>
  stack.app.request('/v1/events', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

interface CandidateView {
  id: string;
  email: string;
  first_name: string;
  journeys: { playbook: string; status: string }[];
  messages: { status: string; subject: string }[];
  timeline: { kind: string; summary: string }[];
}

const getCandidate = async (id: string) =>
  (await (await stack.app.request(`/v1/candidates/${id}`)).json()) as CandidateView;

describe('an application', () => {
  it('sends the acknowledgement over SMTP with the rendered subject and records it on the timeline', async () => {
    const res = await post({
      id: 'board-42',
      source: 'acme-board',
      type: 'candidate.applied',
      candidate: { email: 'Ada.Lovelace@Example.com', first_name: 'Ada', last_name: 'Lovelace' },
      data: { job: { title: 'Analytical Engine Engineer' } },
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { candidate_id: string; workflow_id: string; duplicate: boolean };
    expect(accepted.workflow_id).toBe(`candidate/${accepted.candidate_id}`);
    expect(accepted.duplicate).toBe(false);

    const mail = await stack.smtp.waitFor((m) => m.to.includes('ada.lovelace@example.com'));
    expect(mail.subject).toBe('Ada, we received your application for Analytical Engine Engineer');
    expect(mail.text).toContain(
      'Thank you for applying for the Analytical Engine Engineer position at Acme.',
    );

    const candidate = await eventually(async () => {
      const c = await getCandidate(accepted.candidate_id);
      return c.timeline.some((t) => t.kind === 'journey.ended') ? c : undefined;
    });
    expect(candidate.timeline.map((t) => t.kind)).toEqual([
      'event',
      'journey.started',
      'message.sent',
      'journey.ended',
    ]);
    expect(candidate.messages).toEqual([
      expect.objectContaining({
        status: 'sent',
        subject: 'Ada, we received your application for Analytical Engine Engineer',
      }),
    ]);
    expect(candidate.journeys).toEqual([
      expect.objectContaining({ playbook: 'engage-acknowledge-application', status: 'completed' }),
    ]);
  });

  it('delivered twice by a retrying job board enrolls once and sends once', async () => {
    const event = {
      id: 'retry-7',
      source: 'acme-board',
      type: 'candidate.applied',
      candidate: { email: 'grace@example.com', first_name: 'Grace' },
    };
    const first = (await (await post(event)).json()) as { candidate_id: string };
    await stack.smtp.waitFor((m) => m.to.includes('grace@example.com'));
    const second = await post(event);
    expect(second.status).toBe(202);
    expect(((await second.json()) as { duplicate: boolean }).duplicate).toBe(true);

    const candidate = await eventually(async () => {
      const c = await getCandidate(first.candidate_id);
      return c.timeline.some((t) => t.kind === 'journey.ended') ? c : undefined;
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(stack.smtp.received.filter((m) => m.to.includes('grace@example.com'))).toHaveLength(1);
    expect((await getCandidate(first.candidate_id)).timeline.filter((t) => t.kind === 'event')).toHaveLength(
      1,
    );
    expect(candidate.messages).toHaveLength(1);
  });
});

describe('metrics', () => {
  it('counts accepted and delivered events, journeys by status and messages by outcome for Prometheus', async () => {
    const res = await stack.app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(
      /^rapport_events_accepted_total\{type="candidate.applied",duplicate="false"\} [1-9]/m,
    );
    expect(text).toMatch(
      /^rapport_events_accepted_total\{type="candidate.applied",duplicate="true"\} [1-9]/m,
    );
    expect(text).toMatch(
      /^rapport_journeys\{playbook="engage-acknowledge-application",status="completed"\} [1-9]/m,
    );
    expect(text).toMatch(/^rapport_messages\{channel="email",status="sent"\} [1-9]/m);
    // Every accepted event has reached its workflow, each timed.
    expect(text).toMatch(/^rapport_events_awaiting_delivery 0$/m);
    expect(text).toMatch(/^rapport_event_delivery_seconds_count [1-9]/m);
  });
});

describe('bad input', () => {
  it.each([
    { name: 'malformed JSON', body: '{"type": "candidate.applied",', status: 400, pointer: undefined },
    {
      name: 'a missing email',
      body: { type: 'candidate.applied', candidate: { first_name: 'Ada' } },
      status: 422,
      pointer: '/candidate/email',
    },
    {
      name: 'an invalid email',
      body: { type: 'candidate.applied', candidate: { email: 'not-an-email' } },
      status: 422,
      pointer: '/candidate/email',
    },
    {
      name: 'an unknown event type',
      body: { type: 'candidate.teleported', candidate: { email: 'x@example.com' } },
      status: 422,
      pointer: '/type',
    },
    {
      name: 'an unknown field',
      body: { type: 'candidate.applied', candidate: { email: 'x@example.com', shoe_size: 44 } },
      status: 422,
      pointer: '/candidate/shoe_size',
    },
    {
      name: 'a batch with one bad event',
      body: [
        { type: 'candidate.sourced', candidate: { email: 'fine@example.com' } },
        { type: 'candidate.sourced', candidate: { email: 'not-an-email' } },
      ],
      status: 422,
      pointer: '/1/candidate/email',
    },
    { name: 'an empty batch', body: [], status: 422, pointer: '/' },
  ])(
    '$name is answered $status problem+json naming the field, and nothing is written',
    async ({ body, status, pointer }) => {
      const before = await rowCounts(stack.db.sql);
      const res = await post(body);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await res.json()) as {
        status: number;
        title: string;
        detail: string;
        errors?: { pointer: string }[];
      };
      expect(problem.status).toBe(status);
      if (pointer) {
        expect(problem.errors?.map((e) => e.pointer)).toContain(pointer);
        expect(problem.detail).toContain(pointer);
      }
      expect(await rowCounts(stack.db.sql)).toEqual(before);
    },
  );

  it('a batch is accepted event by event, in order, each once', async () => {
    const batch = ['one', 'two', 'three'].map((name) => ({
      id: `batch-${name}`,
      source: 'acme-board',
      type: 'candidate.sourced',
      candidate: { email: `${name}@batch.example` },
    }));
    const res = await post(batch);
    expect(res.status).toBe(202);
    const { events } = (await res.json()) as { events: { candidate_id: string; duplicate: boolean }[] };
    expect(events.map((e) => e.duplicate)).toEqual([false, false, false]);
    const again = (await (await post(batch)).json()) as { events: { duplicate: boolean }[] };
    expect(again.events.map((e) => e.duplicate)).toEqual([true, true, true]);
  });

  it('a body over 1 MiB is answered 413 problem+json, and nothing is written', async () => {
    const before = await rowCounts(stack.db.sql);
    const res = await post({
      type: 'candidate.applied',
      candidate: { email: 'big@example.com' },
      data: { blob: 'x'.repeat(1_100_000) },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await rowCounts(stack.db.sql)).toEqual(before);
  });

  it('a body that is not JSON is answered 415', async () => {
    const res = await post('type=candidate.applied', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('an unknown candidate is answered 404 problem+json', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const res = await stack.app.request(`/v1/candidates/${id}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { title: string }).title).toBe('Not found');
    }
  });
});

describe('health', () => {
  it('is live and ready when PostgreSQL and Temporal answer', async () => {
    expect((await stack.app.request('/healthz')).status).toBe(200);
    const ready = await stack.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
  });
});
