// Candidates through the API as a recruiter's tools use it: create and merge, search and page, correct,
// notes, export and erasure, against the real stack (Temporal, PostgreSQL, SMTP).
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonCaller, type JsonCall } from '../helpers/api.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let call: JsonCall;
beforeAll(async () => {
  stack = await startStack();
  call = jsonCaller(stack.app);
});
afterAll(async () => {
  await stack?.stop();
});

type Candidate = {
  id: string;
  email: string | null;
  first_name: string | null;
  tags: string[];
  consent: object;
};
type Page = { items: { id: string; email: string }[]; next_cursor: string | null };

describe('candidates', () => {
  it('are created once per email and merged, never doubled', async () => {
    const created = await call<Candidate>('POST', '/v1/candidates', {
      email: 'Grace@Example.com',
      first_name: 'Grace',
      tags: ['backend'],
    });
    expect(created.status).toBe(201);
    const again = await call<Candidate>('POST', '/v1/candidates', {
      email: 'GRACE@example.com',
      tags: ['warm'],
    });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect(again.body.tags.sort()).toEqual(['backend', 'warm']);
    expect(again.body.first_name).toBe('Grace');

    const invalid = await call<{ errors: { pointer: string }[] }>('POST', '/v1/candidates', {
      first_name: 'No',
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors[0]!.pointer).toBe('/email');
  });

  it('named by an ATS id on one record and an email on another are merged into one', async () => {
    const post = (candidate: object) =>
      call<{ candidate_id: string }>('POST', '/v1/events', {
        type: 'candidate.sourced',
        source: 'acme',
        candidate,
      });
    const byAts = await post({ email: 'old-address@example.com', external_id: 'ats-77', first_name: 'Lin' });
    const byEmail = await call<Candidate>('POST', '/v1/candidates', {
      email: 'lin@example.com',
      phone: '+4915100000000',
      tags: ['referral'],
    });
    // The duplicate has a workflow of its own, which the merge ends.
    expect((await post({ email: 'lin@example.com' })).body.candidate_id).toBe(byEmail.body.id);
    const duplicateWorkflow = stack.client.workflow.getHandle(`candidate/${byEmail.body.id}`);
    await eventually(() => duplicateWorkflow.describe().catch(() => undefined));
    const merged = await post({ email: 'lin@example.com', external_id: 'ats-77' });
    expect(merged.body.candidate_id).toBe(byAts.body.candidate_id);
    await eventually(async () =>
      (await duplicateWorkflow.describe()).status.name === 'TERMINATED' ? true : undefined,
    );
    expect((await call('GET', `/v1/candidates/${byEmail.body.id}`)).status).toBe(404);
    const kept = await call<Candidate & { phone: string; timeline: { kind: string }[] }>(
      'GET',
      `/v1/candidates/${byAts.body.candidate_id}`,
    );
    expect(kept.body).toMatchObject({ email: 'lin@example.com', first_name: 'Lin', phone: '+4915100000000' });
    expect(kept.body.tags).toContain('referral');
    expect(kept.body.timeline.map((t) => t.kind)).toContain('merged');
  });

  it('are searched by words, tags and stage, newest first, page by page', async () => {
    const ids: string[] = [];
    for (const [i, name] of ['Ada Byron', 'Ada Quant', 'Bea Quant', 'Cy Quant'].entries()) {
      const [first_name, last_name] = name.split(' ');
      const res = await call<Candidate>('POST', '/v1/candidates', {
        email: `search${i}@example.com`,
        first_name,
        last_name,
        tags: i % 2 ? ['quant', 'silver-medalist'] : ['quant'],
      });
      ids.push(res.body.id);
    }
    await call('PATCH', `/v1/candidates/${ids[3]}`, { stage: 'nurture' });
    const search = async (query: string) => (await call<Page>('GET', `/v1/candidates?${query}`)).body;

    expect((await search('q=ada')).items.map((c) => c.id).sort()).toEqual([ids[0], ids[1]].sort());
    expect((await search('q=ada%20quant')).items.map((c) => c.id)).toEqual([ids[1]]);
    expect((await search('q=search2%40')).items.map((c) => c.id)).toEqual([ids[2]]);
    expect((await search('tag=quant&tag=silver-medalist')).items.map((c) => c.id)).toEqual([ids[3], ids[1]]);
    expect((await search('stage=nurture')).items.map((c) => c.id)).toEqual([ids[3]]);
    expect((await search('q=100%25')).items).toEqual([]);

    const first = await search('tag=quant&limit=3');
    expect(first.items.map((c) => c.id)).toEqual([ids[3], ids[2], ids[1]]);
    const second = await search(`tag=quant&limit=3&cursor=${first.next_cursor}`);
    expect(second.items.map((c) => c.id)).toEqual([ids[0]]);
    expect(second.next_cursor).toBeNull();

    for (const [query, name] of [
      ['limit=0', '?limit'],
      ['limit=abc', '?limit'],
      ['cursor=bm9wZQ', '?cursor'],
    ] as const) {
      const bad = await call<{ errors: { pointer: string }[] }>('GET', `/v1/candidates?${query}`);
      expect(bad.status).toBe(422);
      expect(bad.body.errors[0]!.pointer).toBe(name);
    }
  });

  it('are corrected with a merge patch, recorded as candidate.updated', async () => {
    const { body: c } = await call<Candidate>('POST', '/v1/candidates', {
      email: 'patch@example.com',
      first_name: 'Pat',
      last_name: 'Old',
      tags: ['a', 'b'],
      custom: { github: 'pat', twitter: 'pat' },
    });
    await call('POST', '/v1/candidates', { email: 'taken@example.com' });
    const patched = await call<Candidate & { last_name: null; custom: object; consent: object }>(
      'PATCH',
      `/v1/candidates/${c.id}`,
      {
        first_name: 'Patricia',
        last_name: null,
        tags: ['c'],
        consent: { sms: true },
        custom: { twitter: null },
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      first_name: 'Patricia',
      last_name: null,
      tags: ['c'],
      custom: { github: 'pat' },
      consent: { email: false, sms: true },
    });
    const view = await call<{ timeline: { kind: string; summary: string }[] }>(
      'GET',
      `/v1/candidates/${c.id}`,
    );
    expect(view.body.timeline.at(-1)).toMatchObject({ kind: 'event', summary: 'candidate.updated' });

    const conflict = await call('PATCH', `/v1/candidates/${c.id}`, { email: 'TAKEN@example.com' });
    expect(conflict.status).toBe(409);
    const unknown = await call<{ errors: { pointer: string }[] }>('PATCH', `/v1/candidates/${c.id}`, {
      salary: 1,
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0]!.pointer).toBe('/salary');
    expect((await call('PATCH', `/v1/candidates/${c.id}`, {})).status).toBe(422);
    expect(
      (await call('PATCH', '/v1/candidates/00000000-0000-0000-0000-000000000000', { stage: 'x' })).status,
    ).toBe(404);
  });

  it('carry notes on their timeline', async () => {
    const { body: c } = await call<Candidate>('POST', '/v1/candidates', { email: 'notes@example.com' });
    const note = await call<{ id: number; text: string }>('POST', `/v1/candidates/${c.id}/notes`, {
      text: 'Prefers remote; strong Go.',
      author: 'sam@acme.example',
    });
    expect(note.status).toBe(201);
    const notes = await call<{ items: { text: string; author: string }[] }>(
      'GET',
      `/v1/candidates/${c.id}/notes`,
    );
    expect(notes.body.items).toEqual([
      expect.objectContaining({ text: 'Prefers remote; strong Go.', author: 'sam@acme.example' }),
    ]);
    expect((await call('POST', `/v1/candidates/${c.id}/notes`, { text: '' })).status).toBe(422);
    expect((await call('POST', '/v1/candidates/not-an-id/notes', { text: 'x' })).status).toBe(404);
  });

  it('are exported whole and erased: journeys ended, personal data scrubbed, counts kept', async () => {
    const accepted = await call<{ candidate_id: string }>('POST', '/v1/events', {
      type: 'candidate.applied',
      candidate: { email: 'erase-me@example.com', first_name: 'Erin', phone: '+15550001111' },
      data: { job: { title: 'Data Engineer' } },
    });
    const id = accepted.body.candidate_id;
    await stack.smtp.waitFor((m) => m.to.includes('erase-me@example.com'));
    await call('POST', `/v1/candidates/${id}/notes`, { text: 'Erin mentioned her new address.' });

    const exported = await stack.app.request(`/v1/candidates/${id}/export`);
    expect(exported.headers.get('content-disposition')).toBe(`attachment; filename="candidate-${id}.json"`);
    const data = (await exported.json()) as Record<string, unknown[]> & { candidate: Candidate };
    expect(data.candidate.email).toBe('erase-me@example.com');
    expect(data.events).toHaveLength(1);
    expect(data.messages).toEqual([
      expect.objectContaining({ to_address: 'erase-me@example.com', status: 'sent' }),
    ]);
    expect(data.timeline!.length).toBeGreaterThan(2);

    const erased = await stack.app.request(`/v1/candidates/${id}`, { method: 'DELETE' });
    expect(erased.status, await erased.clone().text()).toBe(204);
    expect((await call('GET', `/v1/candidates/${id}`)).status).toBe(404);
    expect((await call('GET', `/v1/candidates/${id}/export`)).status).toBe(404);
    // Erasure is idempotent: sent again, it ends whatever an earlier attempt left in Temporal.
    expect((await stack.app.request(`/v1/candidates/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call<Page>('GET', '/v1/candidates?q=erase-me')).body.items).toEqual([]);

    const sql = stack.db.sql;
    const [row] =
      await sql`select email, first_name, phone, erased_at is not null as erased from candidates where id = ${id}`;
    expect(row).toEqual({ email: null, first_name: null, phone: null, erased: true });
    const texts = await sql<{ text: string }[]>`
      select summary as text from interactions where candidate_id = ${id}
      union all select coalesce(to_address, '') || coalesce(subject, '') || coalesce(body_text, '') from messages where candidate_id = ${id}
      union all select data::text from events where candidate_id = ${id}`;
    expect(texts.map((t) => t.text).join(' ')).not.toMatch(/erase-me|Erin|Data Engineer|address/);
    const [counts] = await sql`
      select (select count(*)::int from messages where candidate_id = ${id} and status = 'sent') as sent,
        (select count(*)::int from journeys where candidate_id = ${id} and ended_at is null) as running`;
    expect(counts).toEqual({ sent: 1, running: 0 });
    // The workflow is over (terminated, or completed before); Temporal deletes its history in the background.
    const described = await stack.client.workflow
      .getHandle(`candidate/${id}`)
      .describe()
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
    expect(described?.status.name ?? 'DELETED').toMatch(/TERMINATED|COMPLETED|DELETED/);
    // The same person applying again is a new candidate.
    const back = await call<{ candidate_id: string }>('POST', '/v1/events', {
      type: 'candidate.applied',
      candidate: { email: 'erase-me@example.com' },
    });
    expect(back.body.candidate_id).not.toBe(id);
  });
});

describe('jobs', () => {
  it('are opened, rediscover matching candidates, are read with them, and close', async () => {
    for (const email of ['rust1@example.com', 'rust2@example.com'])
      await call('POST', '/v1/candidates', {
        email,
        skills: ['rust'],
        location: 'Lisbon',
        consent: { email: true },
      });
    const job = { external_id: 'req-rust', title: 'Rust Engineer', skills: ['rust'], location: 'Lisbon' };
    const opened = await call<{ id: string; status: string; workflow_id: string }>('POST', '/v1/jobs', job);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ status: 'open', workflow_id: `job/${opened.body.id}` });
    expect((await call<{ id: string }>('POST', '/v1/jobs', job)).body.id).toBe(opened.body.id);

    type JobView = { candidates: { email: string; status: string }[]; timeline: { kind: string }[] };
    const view = await eventually(async () => {
      const res = await call<JobView>('GET', `/v1/jobs/${opened.body.id}`);
      return res.body.candidates.length === 2 ? res.body : undefined;
    });
    expect(view.candidates.map((c) => c.email).sort()).toEqual(['rust1@example.com', 'rust2@example.com']);
    expect(view.timeline.map((t) => t.kind)).toContain('job.found');

    const closed = await call<{ status: string }>('POST', `/v1/jobs/${opened.body.id}/close`);
    expect(closed.body.status).toBe('closed');
    expect((await call('POST', `/v1/jobs/${opened.body.id}/close`)).status).toBe(409);
    await eventually(async () => {
      const res = await call<JobView>('GET', `/v1/jobs/${opened.body.id}`);
      return res.body.candidates.every((c) => c.status === 'exited') ? true : undefined;
    });
    const list = await call<Page>('GET', '/v1/jobs?status=closed');
    expect(list.body.items.map((j) => j.id)).toContain(opened.body.id);
    expect((await call('GET', '/v1/jobs?status=paused')).status).toBe(422);
    expect((await call('GET', '/v1/jobs/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await call('POST', '/v1/jobs/00000000-0000-0000-0000-000000000000/close')).status).toBe(404);
    expect((await call('POST', '/v1/jobs', { title: 'No id' })).status).toBe(422);
  });
});
