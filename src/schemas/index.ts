// Loads the JSON Schemas in `schemas/` into one ajv instance (draft 2020-12) and validates payloads
// against them, reporting each failure with the JSON pointer of the field it concerns.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

export const SCHEMAS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../schemas');

export interface FieldError {
  /** JSON pointer of the offending field, e.g. `/candidate/email`. */
  readonly pointer: string;
  readonly message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

// ajv-formats is published as CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function instance(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true });
  addFormats(ajv);
  for (const file of fs.readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json'))) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, file), 'utf8')) as object, file);
  }
  return ajv;
}

/** Validates `data` against `schemas/<name>` (for example `event.schema.json`). Applies defaults. */
export function validate<T>(name: string, data: unknown): Validation<T> {
  let fn = compiled.get(name);
  if (!fn) {
    fn = instance().getSchema(name);
    if (!fn) throw new Error(`Unknown schema ${name}`);
    compiled.set(name, fn);
  }
  if (fn(data)) return { ok: true, value: data as T };
  return { ok: false, errors: (fn.errors ?? []).map(toFieldError) };
}

function toFieldError(error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        pointer: `${error.instancePath}/${String(params.missingProperty)}`,
        message: `is required`,
      };
    case 'additionalProperties':
      return {
        pointer: `${error.instancePath}/${String(params.additionalProperty)}`,
        message: 'is not a known field',
      };
    case 'enum':
      return {
        pointer: error.instancePath || '/',
        message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    default:
      return { pointer: error.instancePath || '/', message: error.message ?? 'is invalid' };
  }
}
