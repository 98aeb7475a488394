import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlaybooks, parsePlaybook, PlaybookErrors } from '../../src/playbook/load.js';

const PIPELINES = path.resolve(import.meta.dirname, '../../pipelines');

function errorsOf(file: string, text: string): string[] {
  try {
    parsePlaybook(file, text);
  } catch (error) {
    if (error instanceof PlaybookErrors) return error.errors.map((e) => e.message);
    throw error;
  }
  return [];
}

describe('playbooks', () => {
  it('the shipped playbooks are valid', async () => {
    const playbooks = await loadPlaybooks(PIPELINES);
    expect([...playbooks.keys()]).toContain('engage-acknowledge-application');
    for (const p of playbooks.values()) {
      for (const s of p.steps) {
        if ('send' in s) {
          const template = typeof s.send === 'string' ? s.send : s.send.template;
          await expect(
            fs.access(path.join(PIPELINES, 'templates', `${template}.liquid`)),
          ).resolves.toBeUndefined();
        }
      }
    }
  });

  it('reports a schema error at the line and column of the offending value', () => {
    const text = [
      'playbook: demo',
      'stage: engage',
      'version: 1',
      'enroll:',
      '  on: [candidate.applied]',
      'steps:',
      '  - id: hello',
      '    send: 42',
      '',
    ].join('\n');
    expect(errorsOf('pipelines/demo.yaml', text)).toContain(
      'pipelines/demo.yaml:7:5: must match exactly one schema in oneOf (at /steps/0)',
    );
  });

  it('reports a missing field at its parent, naming the field', () => {
    const text = [
      'playbook: demo',
      'stage: engage',
      'enroll:',
      '  on: [candidate.applied]',
      'steps:',
      '  - wait: 3d',
      '',
    ].join('\n');
    expect(errorsOf('demo.yaml', text)).toEqual(['demo.yaml:1:1: is required (at /version)']);
  });

  it('reports an unknown stage with the allowed values', () => {
    const text = [
      'playbook: demo',
      'stage: charm',
      'version: 1',
      'enroll: { on: [candidate.applied] }',
      'steps: [{ wait: 3d }]',
      '',
    ].join('\n');
    expect(errorsOf('demo.yaml', text)).toEqual([
      'demo.yaml:2:8: must be one of: discover, attract, engage, nurture, hire (at /stage)',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    expect(errorsOf('demo.yaml', 'playbook: demo\nplaybook: other\n')[0]).toMatch(
      /^demo\.yaml:2:1: Map keys must be unique/,
    );
    expect(errorsOf('demo.yaml', 'steps: [\n')[0]).toMatch(/^demo\.yaml:\d+:\d+: /);
  });

  it('requires the playbook id to equal the file name', () => {
    const text = [
      'playbook: other',
      'stage: engage',
      'version: 1',
      'enroll: { on: [candidate.applied] }',
      'steps: [{ wait: 3d }]',
      '',
    ].join('\n');
    expect(errorsOf('pipelines/demo.yaml', text)).toEqual([
      'pipelines/demo.yaml:1:11: playbook id must equal the file name "demo" (at /playbook)',
    ]);
  });
});
