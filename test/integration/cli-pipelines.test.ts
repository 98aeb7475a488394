// The playbook commands as a person runs them: validate, simulate, graph.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli } from '../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/simulate');
let broken: string;

beforeAll(async () => {
  broken = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-pipelines-'));
  await fs.mkdir(path.join(broken, 'templates'));
  await fs.writeFile(path.join(broken, 'templates/hello.liquid'), '---\nsubject: Hi\n---\nHello\n');
  await fs.writeFile(
    path.join(broken, 'demo.yaml'),
    [
      'playbook: demo',
      'stage: engage',
      'version: 1',
      'enroll: { on: [candidate.applied] }',
      'steps:',
      '  - id: hi',
      '    send: missing',
      '  - wait: soon',
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await fs.rm(broken, { recursive: true, force: true });
});

const env = cleanEnv({});

describe('rapport validate', () => {
  it('accepts the shipped pipelines', async () => {
    const result = await runCli(['validate'], {
      ...env,
      RAPPORT_PIPELINES_DIR: path.join(ROOT, 'pipelines'),
    });
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/^\d+ playbook\(s\) valid$/m);
  });

  it('lists every error as file:line:column and exits 1', async () => {
    const result = await runCli(['validate', broken], env);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      `${path.join(broken, 'demo.yaml')}:8:11: is not in the expected form, e.g. "3d" or "P1M" (at /steps/1/wait)`,
    );
    expect(result.output).toContain('1 error(s) in 1 file(s)');
  });

  it('names the unknown template of a playbook kept where there is no templates directory', async () => {
    const alone = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-alone-'));
    const file = path.join(alone, 'alone.yaml');
    const text = await fs.readFile(path.join(broken, 'demo.yaml'), 'utf8');
    await fs.writeFile(
      file,
      text.replace('playbook: demo', 'playbook: alone').replace('wait: soon', 'wait: 1d'),
    );
    const result = await runCli(['validate', file], env);
    await fs.rm(alone, { recursive: true, force: true });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(new RegExp(`^${file}:7:11: .*missing`, 'm'));
  });

  it('speaks JSON with --json', async () => {
    const result = await runCli(['validate', path.join(broken, 'demo.yaml'), '--json'], env);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.output) as {
      valid: boolean;
      errors: { line: number; column: number; pointer: string }[];
    };
    expect(report.valid).toBe(false);
    expect(report.errors).toEqual([
      expect.objectContaining({ line: 8, column: 11, pointer: '/steps/1/wait' }),
    ]);
  });
});

describe('rapport simulate', () => {
  it('prints the timeline as JSON lines, in time order, per the simulation contract', async () => {
    const result = await runCli(
      [
        'simulate',
        path.join(ROOT, 'pipelines/nurture-silver-medalists.yaml'),
        '--candidate',
        path.join(FIXTURES, 'ada.json'),
        '--events',
        path.join(FIXTURES, 'silver-medalist.jsonl'),
        '--start',
        '2026-01-01T00:00:00Z',
        '--days',
        '365',
        '--json',
      ],
      env,
    );
    expect(result.code).toBe(0);
    const lines = result.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { at: string; action: string; step?: string });
    expect(lines.map((l) => l.at)).toEqual([...lines.map((l) => l.at)].sort());
    expect(lines.find((l) => l.action === 'send')).toEqual({
      at: '2026-02-04T10:00:00.000Z',
      action: 'send',
      step: 'advice',
      template: 'skills-advice',
      channel: 'email',
      subject: 'Ada, what would make the difference next time',
    });
    expect(lines.find((l) => l.action === 'update' && l.step === 'steps/5/then/0/then/0')).toMatchObject({
      set: { employment_status: 'open' },
      tags: { add: ['warm'] },
    });
    expect(lines.find((l) => l.action === 'task')).toMatchObject({
      step: 'call-open-to-work',
      title: 'Ada is open to work — call',
    });
  });

  it('prints a readable timeline without --json', async () => {
    const result = await runCli(
      [
        'simulate',
        path.join(ROOT, 'pipelines/nurture-birthdays.yaml'),
        '--candidate',
        path.join(FIXTURES, 'ada.json'),
        '--start',
        '2026-01-01T00:00:00Z',
        '--days',
        '400',
      ],
      env,
    );
    expect(result.code).toBe(0);
    expect(result.output).toContain(
      '2026-02-28 08:00:00Z  send       wish  template=birthday channel=email subject=Happy birthday, Ada!',
    );
  });

  it('runs several playbooks side by side under the shipped contact policy', async () => {
    const events = path.join(broken, 'interview.jsonl');
    await fs.writeFile(
      events,
      [
        { at: '2026-03-02T08:00:00Z', type: 'candidate.interview_scheduled', data: {} },
        { at: '2026-03-03T08:00:00Z', type: 'candidate.event_registered', data: {} },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const result = await runCli(
      [
        'simulate',
        path.join(ROOT, 'pipelines/engage-interview-logistics.yaml'),
        path.join(ROOT, 'pipelines/nurture-company-updates.yaml'),
        '--candidate',
        path.join(FIXTURES, 'ada.json'),
        '--events',
        events,
        '--start',
        '2026-03-02T08:00:00Z',
        '--days',
        '30',
        '--json',
      ],
      env,
    );
    expect(result.code).toBe(0);
    const lines = result.output
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { action: string; playbook?: string; rule?: string });
    // Company news waits while the interview process runs (pipelines/policy.yaml), and says why.
    expect(lines.find((l) => l.action === 'held')).toMatchObject({
      playbook: 'nurture-company-updates',
      rule: 'hiring-process-first',
      class: 'nurture',
    });
    expect(lines.filter((l) => l.action === 'send').every((l) => l.playbook)).toBe(true);
    // With another policy file, the other rules: none here, so the news goes out at once.
    const open = path.join(broken, 'open-policy.yaml');
    await fs.writeFile(open, 'classes:\n  - class: everyone\n');
    const free = await runCli(
      [
        'simulate',
        path.join(ROOT, 'pipelines/engage-interview-logistics.yaml'),
        path.join(ROOT, 'pipelines/nurture-company-updates.yaml'),
        '--candidate',
        path.join(FIXTURES, 'ada.json'),
        '--events',
        events,
        '--policy',
        open,
        '--start',
        '2026-03-02T08:00:00Z',
        '--days',
        '30',
        '--json',
      ],
      env,
    );
    expect(free.code).toBe(0);
    expect(free.output).not.toContain('"held"');
  });

  it.each([
    [['simulate'], 'usage: rapport simulate'],
    [
      ['simulate', 'pipelines/nurture-birthdays.yaml', '--candidate', 'no-such-file.json'],
      'no-such-file.json: cannot read the candidate file',
    ],
    [
      [
        'simulate',
        'pipelines/nurture-birthdays.yaml',
        '--candidate',
        'test/fixtures/simulate/ada.json',
        '--days',
        'ten',
      ],
      '--days must be a whole number',
    ],
  ])('explains bad usage: %j', async (args, message) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(1);
    expect(result.output).toContain(message);
  });
});

describe('rapport graph', () => {
  it('prints a Mermaid flowchart with branches and loops', async () => {
    const result = await runCli(['graph', path.join(ROOT, 'pipelines/nurture-silver-medalists.yaml')], env);
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/^flowchart TD$/m);
    expect(result.output).toContain('answer: candidate.open_to_work or candidate.not_looking within 21d?');
    expect(result.output).toMatch(/-->\|received\|/);
    expect(result.output).toMatch(/-->\|again\|/);
  });
});
