// Playbook validation: the shipped pipelines are valid, and every broken playbook in
// test/fixtures/invalid/ is reported at the exact line and column its `# expect:` lines give.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlaybook, PlaybookErrors, validatePipelines } from '../../src/playbook/load.js';

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
