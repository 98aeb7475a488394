// Playbook validation: the shipped pipelines are valid, and every broken playbook in
// test/fixtures/invalid/ is reported at the exact line and column its `# expect:` lines give.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlaybook, PlaybookErrors, validatePipelines } from '../../src/playbook/load.js';
import { validateSources } from '../../src/playbook/sources.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const INVALID = path.join(ROOT, 'test/fixtures/invalid');
const context = { hasTemplate: (id: string) => id === 'hello', hasPlaybook: () => false };

function errorsOf(file: string, text: string): string[] {
  try {
    parsePlaybook(file, text, context);
  } catch (error) {
    if (error instanceof PlaybookErrors) return error.errors.map((e) => e.message);
    throw error;
  }
  return [];
}

describe('the shipped pipelines', () => {
  it('are valid: every playbook, template and cross-reference', async () => {
    const { playbooks, errors } = await validatePipelines(path.join(ROOT, 'pipelines'));
    expect(errors.map((e) => e.message)).toEqual([]);
    expect(playbooks.size).toBeGreaterThan(0);
  });
});

describe('broken playbooks', () => {
  const fixtures = fs.readdirSync(INVALID).filter((f) => f.endsWith('.yaml'));
  it('are a corpus of at least twenty', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });
  it.each(fixtures)('%s is reported at its exact line and column', (name) => {
    const file = `test/fixtures/invalid/${name}`;
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => `${file}:${m[1]}`);
    expect(expected.length).toBeGreaterThan(0);
    expect(errorsOf(file, text)).toEqual(expected);
  });

  it('reports every error of a file at once', () => {
    const text = [
      'playbook: demo',
      'stage: charm',
      'enroll: { on: [candidate.applied] }',
      'steps:',
      '  - wait: soon',
      '',
    ].join('\n');
    expect(errorsOf('demo.yaml', text)).toEqual([
      'demo.yaml:1:1: "version" is required (at /version)',
      'demo.yaml:2:8: must be one of: discover, attract, engage, nurture, hire (at /stage)',
      'demo.yaml:5:11: is not in the expected form, e.g. "3d" or "P1M" (at /steps/0/wait)',
    ]);
  });

  it('refuses a huge file before parsing it', () => {
    expect(errorsOf('big.yaml', `# ${'x'.repeat(600 * 1024)}\n`)).toEqual([
      'big.yaml:1:1: the file is larger than 512 KiB; split the playbook',
    ]);
  });
});

describe('source mappings', () => {
  it('are validated against their schema, with positions, and their Liquid must parse', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-sources-'));
    fs.mkdirSync(path.join(dir, 'sources'));
    fs.writeFileSync(
      path.join(dir, 'sources/board.yaml'),
      [
        'source: board',
        'events:',
        '  - when: "payload.action == \'hired\'"',
        '    type: candidate.hired',
        '    candidate:',
        '      first_name: "{{ payload.name }}"',
        '  - when: "(payload"',
        '    type: candidate.hired',
        '    candidate: { email: "{{ payload.email" }',
        'unsigned: true',
        '',
      ].join('\n'),
    );
    const { errors } = await validateSources(dir);
    expect(errors.map((e) => e.message.replace(`${dir}/`, ''))).toEqual([
      'sources/board.yaml:6:7: "email" is required (at /events/0/candidate/email)',
    ]);
    fs.writeFileSync(
      path.join(dir, 'sources/board.yaml'),
      [
        'source: board',
        'events:',
        '  - when: "(payload"',
        '    type: candidate.hired',
        '    candidate: { email: "{{ payload.email" }',
        '  - when: "payload.moved"',
        '    type: candidate.stage_changes',
        '    candidate: { email: "{{ payload.email }}" }',
        'unsigned: true',
        '',
      ].join('\n'),
    );
    const second = await validateSources(dir);
    expect(
      second.errors.map((e) =>
        e.message
          .replace(`${dir}/`, '')
          .replace(/: Liquid does not parse: .*\(at/, ': Liquid does not parse (at'),
      ),
    ).toEqual([
      'sources/board.yaml:3:11: Liquid does not parse (at /events/0/when)',
      'sources/board.yaml:5:25: Liquid does not parse (at /events/0/candidate/email)',
      expect.stringMatching(
        /^sources\/board\.yaml:7:11: unknown event type "candidate\.stage_changes"; use one of candidate\.applied, .*candidate\.stage_changed.* \(at \/events\/1\/type\)$/,
      ),
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  it('the shipped ones are valid', async () => {
    const { sources, errors } = await validateSources(path.join(ROOT, 'pipelines'));
    expect(errors).toEqual([]);
    expect([...sources.keys()]).toContain('generic');
  });
});
