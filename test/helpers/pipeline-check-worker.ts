// The worker side of test/unit/hostile-playbooks.properties.test.ts: checks YAML text the way `rapport
// validate` does (one playbook, one file of another kind against its schema, or a whole pipelines folder)
// and answers what came of it: valid, errors with their positions, or an exception nobody expected.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parsePlaybook, PlaybookErrors, validatePipelines } from '../../src/playbook/load.js';
import type { PlaybookError } from '../../src/playbook/errors.js';
import { checkYamlText } from '../../src/playbook/yaml-file.js';
import { serveBounded } from './bounded-worker.js';

export type PipelineCheck =
  | { task: 'playbook'; file: string; text: string }
  | { task: 'file'; file: string; schema: string; text: string }
  | { task: 'pipelines'; files: Record<string, string> };

export interface ReportedError {
  file: string;
  line: number;
  column: number;
  detail: string;
  message: string;
}

export type CheckOutcome =
  { kind: 'valid' } | { kind: 'errors'; errors: ReportedError[] } | { kind: 'thrown'; error: string };

const reported = (errors: readonly PlaybookError[], dir?: string): CheckOutcome =>
  errors.length
    ? {
        kind: 'errors',
        errors: errors.map((e) => {
          // Files of a folder are named as the folder names them.
          const file = dir ? path.relative(dir, e.file) : e.file;
          return {
            file,
            line: e.line,
            column: e.column,
            detail: e.detail,
            message: e.message.startsWith(e.file) ? file + e.message.slice(e.file.length) : e.message,
          };
        }),
      }
    : { kind: 'valid' };

const context = { hasTemplate: (id: string) => id === 'hello', hasPlaybook: (id: string) => id === 'other' };

async function check(input: PipelineCheck): Promise<CheckOutcome> {
  try {
    switch (input.task) {
      case 'playbook':
        parsePlaybook(input.file, input.text, context);
        return { kind: 'valid' };
      case 'file':
        return reported(checkYamlText(input.file, input.text, input.schema).errors);
      case 'pipelines': {
        const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-hostile-'));
        try {
          for (const [name, text] of Object.entries(input.files)) {
            await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
            await fs.writeFile(path.join(dir, name), text);
          }
          return reported((await validatePipelines(dir)).errors, dir);
        } finally {
          await fs.rm(dir, { recursive: true, force: true });
        }
      }
    }
  } catch (error) {
    if (error instanceof PlaybookErrors) return reported(error.errors);
    return { kind: 'thrown', error: String((error as Error).stack ?? error) };
  }
}

serveBounded(check);
