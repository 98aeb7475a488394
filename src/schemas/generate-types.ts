// Generates src/generated/playbook.ts from schemas/playbook.schema.json (json-schema-to-typescript).
// `npm run schema:types` writes it; the unit tests fail when the committed file is stale, and the
// typecheck fails when the interpreter's types and the schema disagree (src/interpreter/schema-check.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import { compileFromFile } from 'json-schema-to-typescript';
import * as prettier from 'prettier';

export const GENERATED = path.resolve(import.meta.dirname, '../generated/playbook.ts');
const SCHEMA = path.resolve(import.meta.dirname, '../../schemas/playbook.schema.json');

export async function generatePlaybookTypes(): Promise<string> {
  const body = await compileFromFile(SCHEMA, {
    cwd: path.dirname(SCHEMA),
    bannerComment: '// Generated from schemas/playbook.schema.json by `npm run schema:types`. Do not edit.',
    additionalProperties: false,
    format: false,
  });
  const options = await prettier.resolveConfig(GENERATED);
  return prettier.format(body, { ...options, parser: 'typescript' });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await fs.mkdir(path.dirname(GENERATED), { recursive: true });
  await fs.writeFile(GENERATED, await generatePlaybookTypes());
  console.log(`wrote ${path.relative(process.cwd(), GENERATED)}`);
}
