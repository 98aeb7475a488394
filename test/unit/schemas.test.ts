// The JSON Schemas are the contract editors and the API document read: every property says what it is.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED, generatePlaybookTypes } from '../../src/schemas/generate-types.js';
import { SCHEMAS_DIR } from '../../src/schemas/index.js';

const files = fs.readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json'));

/**
 * Pointers of properties without a description (a $ref inherits the target's; a boolean schema, which
 * only allows or forbids the property, has nothing to describe).
 */
function undescribed(node: unknown, pointer: string, out: string[]): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => undescribed(n, `${pointer}/${i}`, out));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.properties && typeof record.properties === 'object') {
      for (const [name, property] of Object.entries(
        record.properties as Record<string, Record<string, unknown> | boolean>,
      )) {
        if (typeof property === 'boolean') continue;
        if (!property.description && !property.$ref) out.push(`${pointer}/properties/${name}`);
      }
    }
    for (const [key, value] of Object.entries(record)) undescribed(value, `${pointer}/${key}`, out);
  }
  return out;
}

describe('schemas', () => {
  it('generate the committed TypeScript types (run `npm run schema:types` after changing a schema)', async () => {
    expect(await generatePlaybookTypes()).toBe(fs.readFileSync(GENERATED, 'utf8'));
  });

  it.each(files)('%s is draft 2020-12 and describes every property', (file) => {
    const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.description).toBeTruthy();
    expect(undescribed(schema, '', [])).toEqual([]);
  });
});
