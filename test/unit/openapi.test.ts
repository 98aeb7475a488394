// /openapi.json is consumed by outside tools: it is valid against the OpenAPI 3.1 meta-schema (checked
// by @seriousme/openapi-schema-validator), self-contained (every `$ref` resolves inside it, with no
// schemas/ file at hand), and says what the router does: scopes, typed parameters, problem answers.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { apiOperations, openApiDocument } from '../../src/http/openapi.js';
import { OPERATIONS } from '../../src/http/operations.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

interface Document {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, unknown> };
}
interface OperationObject {
  security: { apiKey?: string[] }[];
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}

const doc = openApiDocument(OPERATIONS) as Document;

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(
      structuredClone(doc) as unknown as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('is self-contained: no reference leaves it, and every component compiles on its own', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    expect(refs.filter((r) => !r.startsWith('#/components/schemas/'))).toEqual([]);
    // A fresh ajv that knows nothing of schemas/: every component must resolve within the document.
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    ajv.addSchema(doc, 'openapi');
    for (const name of Object.keys(doc.components.schemas))
      expect(() => ajv.getSchema(`openapi#/components/schemas/${name}`), name).not.toThrow();
  });

  it('types query parameters and path ids, and documents the answers the router gives', () => {
    const list = doc.paths['/v1/candidates']!.get!;
    const limit = list.parameters!.find((p) => p.name === 'limit')!;
    // An empty `?limit=` is taken as absent, and the document says so.
    expect(limit.schema).toEqual({
      anyOf: [{ type: 'integer', minimum: 1, maximum: 200, default: 50 }, { const: '' }],
    });
    const read = doc.paths['/v1/candidates/{id}']!.get!;
    expect(read.parameters![0]!.schema).toEqual({ type: 'string', format: 'uuid' });
    expect(Object.keys(read.responses).sort()).toEqual(['200', '401', '403', '404', '429', '503']);
    expect(Object.keys(doc.paths['/healthz']!.get!.responses)).toEqual(['200']);
    const post = doc.paths['/v1/events']!.post!;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['400', '413', '415', '422']));
    expect(post.responses['422']!.content).toHaveProperty('application/problem+json');
  });

  it('names each operation’s scope, and no key for public ones', () => {
    for (const op of apiOperations(OPERATIONS)) {
      const security = doc.paths[op.path]![op.method]!.security;
      expect(security).toEqual('scope' in op.access ? [{ apiKey: [op.access.scope] }] : []);
    }
  });
});
