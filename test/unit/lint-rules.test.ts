// The determinism rule really bites: workflow code and the interpreter cannot import I/O modules.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the determinism lint rule', { timeout: 60_000 }, () => {
  it.each([
    ['workflows/candidate.ts', "import fs from 'node:fs';"],
    ['workflows/candidate.ts', "import postgres from 'postgres';"],
    ['src/interpreter/step.ts', "import { Ajv } from 'ajv';"],
    ['src/interpreter/step.ts', "import { createSql } from '../db/client.js';"],
    ['workflows/candidate.ts', "import { Liquid } from 'liquidjs';"],
    ['src/expressions/liquid.ts', "import postgres from 'postgres';"],
    ['src/expressions/filters.ts', "import fs from 'node:fs';"],
  ])('rejects, in %s: %s', async (file, code) => {
    expect(await restrictedImports(file, `${code}\nexport {};\n`)).not.toEqual([]);
  });

  it('allows type imports of activities in workflows', async () => {
    const code =
      "import type { Activities } from '../src/activities/index.js';\nexport type A = Activities;\n";
    expect(await restrictedImports('workflows/candidate.ts', code)).toEqual([]);
  });

  it('leaves the rest of the code free to do I/O', async () => {
    expect(
      await restrictedImports('src/db/client.ts', "import postgres from 'postgres';\nexport { postgres };\n"),
    ).toEqual([]);
  });
});
