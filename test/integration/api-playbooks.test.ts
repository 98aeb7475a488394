// Playbooks through the API: the published ones with their journeys counted, one with its versions and
// where its journeys are, validation of a YAML text with positions, and simulation as the CLI does it.
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

describe('playbooks', () => {
  it('are listed at their latest version with journeys counted, and read with versions and steps', async () => {
    await call('POST', '/v1/events', { type: 'candidate.applied', candidate: { email: 'pb@example.com' } });
    await stack.smtp.waitFor((m) => m.to.includes('pb@example.com'));
    type Summary = { playbook: string; version: number; stage: string; journeys: Record<string, number> };
    const list = await eventually(async () => {
      const res = await call<{ items: Summary[] }>('GET', '/v1/playbooks');
      const ack = res.body.items.find((p) => p.playbook === 'engage-acknowledge-application');
      return ack?.journeys.completed ? res.body.items : undefined;
    });
    expect(list.map((p) => p.stage)).toEqual(
      expect.arrayContaining(['discover', 'attract', 'engage', 'nurture', 'hire']),
    );

    const one = await call<{
      version: number;
      definition: { steps: unknown[] };
      versions: { version: number }[];
    }>('GET', '/v1/playbooks/nurture-silver-medalists');
    expect(one.status).toBe(200);
    expect(one.body.versions.map((v) => v.version)).toEqual([2]);
    expect(one.body.definition.steps.length).toBeGreaterThan(0);
    expect((await call('GET', '/v1/playbooks/nurture-silver-medalists?version=9')).status).toBe(404);
    expect((await call('GET', '/v1/playbooks/no-such-playbook')).status).toBe(404);
  });

  it('counts running journeys by step', async () => {
    await call('POST', '/v1/events', {
      type: 'candidate.rejected',
      candidate: {
        email: 'silver@example.com',
        first_name: 'Sil',
        consent: { email: true },
        tags: ['silver-medalist'],
      },
    });
    const steps = await eventually(async () => {
      const res = await call<{ steps: { step: string | null; journeys: number }[] }>(
        'GET',
        '/v1/playbooks/engage-not-selected',
      );
      return res.body.steps.length ? res.body.steps : undefined;
    });
    expect(steps[0]!.journeys).toBe(1);
  });

  it('validate a YAML text and answer every error with its line and column', async () => {
    const head = [
      'playbook: draft',
      'stage: engage',
      'version: 1',
      'enroll: { on: [candidate.applied] }',
      'steps:',
    ];
    const validate = async (lines: string[], type = 'application/yaml') =>
      call<{
        valid: boolean;
        playbook?: string;
        errors: { file: string; line: number; column: number; message: string }[];
      }>('POST', '/v1/playbooks/validate', [...lines, ''].join('\n'), type);
    const at = (errors: { file: string; line: number; column: number }[]) =>
      errors.map((e) => `${e.file}:${e.line}:${e.column}`);

    const structure = await validate([
      'playbook: draft',
      'stage: engage',
      'steps:',
      '  - wait: 3 fortnights',
    ]);
    expect(structure.status).toBe(200);
    expect(structure.body.valid).toBe(false);
    expect(at(structure.body.errors)).toEqual(expect.arrayContaining(['draft.yaml:1:1', 'draft.yaml:4:11']));
    expect(structure.body.errors.find((e) => e.line === 4)!.message).toContain('"3d"');

    const meaning = await validate([...head, '  - id: hello', '    send: no-such-template']);
    expect(at(meaning.body.errors)).toEqual(['draft.yaml:7:11']);
    expect(meaning.body.errors[0]!.message).toContain('no-such-template');

    const ok = await validate([...head, '  - id: hello', '    send: application-received'], 'text/yaml');
    expect(ok.body).toMatchObject({ valid: true, playbook: 'draft', errors: [] });
    const good = [...head, '  - id: hello', '    send: application-received'].join('\n');
    const syntax = await call<{ errors: { line: number }[] }>(
      'POST',
      '/v1/playbooks/validate',
      'steps: [',
      'application/yaml',
    );
    expect(syntax.body.errors[0]!.line).toBe(1);
    expect((await call('POST', '/v1/playbooks/validate', { playbook: 'x' })).status).toBe(415);
    expect((await call('POST', '/v1/playbooks/validate?file=../x', good, 'application/yaml')).status).toBe(
      422,
    );
  });

  it('simulate a published playbook on a virtual clock, as rapport simulate does', async () => {
    const res = await call<{ timeline: { at: string; action: string; step?: string; subject?: string }[] }>(
      'POST',
      '/v1/playbooks/engage-acknowledge-application/simulate',
      {
        candidate: {
          first_name: 'Ada',
          email: 'ada@example.com',
          timezone: 'Europe/Paris',
          consent: { email: true },
        },
        start: '2026-03-02T09:00:00Z',
        days: 30,
        events: [{ at: '2026-03-02T09:00:00Z', type: 'candidate.applied', data: { job: { title: 'SRE' } } }],
      },
    );
    expect(res.status).toBe(200);
    const send = res.body.timeline.find((l) => l.action === 'send');
    expect(send).toMatchObject({ step: 'acknowledge' });
    expect(send!.subject).toBeTruthy();
    const invalid = await call<{ errors: { pointer: string }[] }>(
      'POST',
      '/v1/playbooks/engage-offer/simulate',
      {
        candidate: {},
        days: 0,
      },
    );
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors[0]!.pointer).toBe('/days');
    expect((await call('POST', '/v1/playbooks/nope/simulate', { candidate: {} })).status).toBe(404);
  });
});
