// Loads the JSON Schemas in `schemas/` into one ajv instance (draft 2020-12) and validates payloads
// against them, reporting each failure with the JSON pointer of the field it concerns.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

import { SCHEMAS_DIR } from '../paths.js';

export { SCHEMAS_DIR };

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
  ajv = new Ajv2020({
    allErrors: true,
    useDefaults: true,
    strict: true,
    strictRequired: false,
    verbose: true,
  });
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
  return check<T>(fn, data);
}

/**
 * A validator for an inline schema (a query's parameters, say), compiled once by the same ajv, so its
 * `$ref`s to `schemas/` files, formats and error messages are those of every other check.
 */
export function compileSchema<T>(schema: object): (data: unknown) => Validation<T> {
  const fn = instance().compile(schema);
  return (data) => check<T>(fn, data);
}

function check<T>(fn: ValidateFunction, data: unknown): Validation<T> {
  if (fn(data)) return { ok: true, value: data as T };
  // An `if`/`then` rule reports the failing rule itself; "must match then schema" adds nothing.
  const errors = (fn.errors ?? []).filter((e) => e.keyword !== 'if');
  return { ok: false, errors: collapseAlternatives(errors).map(toFieldError) };
}

/** Validates `data` against a subschema, e.g. `#/$defs/step/oneOf/0` of `playbook.schema.json`. */
export function validateAt<T>(name: string, fragment: string, data: unknown): Validation<T> {
  return validate<T>(`${name}${fragment}`, data);
}

/**
 * A value that fits none of several forms (`oneOf`/`anyOf`) is reported once, the way a person would
 * say it: "must be string or object", "needs one of: times, until, forever", or, when the value had the
 * right type for a form but broke one of its rules, that rule alone.
 */
function collapseAlternatives(errors: ErrorObject[]): ErrorObject[] {
  // ajv reports the errors of each alternative before the oneOf/anyOf error they belong to; errors
  // inside a $ref carry the target's schema path, so they are grouped by position and instance path.
  const pending = new Map<string, ErrorObject[]>();
  const out: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') {
      pending.set(e.instancePath, [...(pending.get(e.instancePath) ?? []), e]);
      continue;
    }
    const children = pending.get(e.instancePath) ?? [];
    pending.delete(e.instancePath);
    const required = children.filter((c) => c.keyword === 'required');
    const types = children.filter((c) => c.keyword === 'type');
    const rules = children.filter((c) => c.keyword !== 'type' && c.keyword !== 'required');
    if (children.length && required.length === children.length) {
      const names = required.map((c) => String((c.params as { missingProperty: string }).missingProperty));
      out.push({ ...e, message: `needs one of: ${names.join(', ')}` });
    } else if (rules.length && children.every((c) => c.keyword === 'pattern' || c.keyword === 'format')) {
      // A string in none of several forms (a duration or a date): once, with the forms' examples.
      out.push({ ...e, keyword: 'pattern' });
    } else if (rules.length) {
      out.push(...rules, ...required);
    } else if (types.length) {
      out.push({
        ...e,
        message: `must be ${[...new Set(types.map((c) => String((c.params as { type: string }).type)))].join(' or ')}`,
      });
    } else {
      out.push(...children, e);
    }
  }
  for (const rest of pending.values()) out.push(...rest);
  return out;
}

function toFieldError(error: ErrorObject): FieldError {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'false schema': {
      // A field ruled out by a condition, e.g. `candidate` on a job event.
      const rule = (error.parentSchema as { description?: string } | undefined)?.description;
      return { pointer: error.instancePath, message: `is not allowed here${rule ? ` (${rule})` : ''}` };
    }
    case 'required':
      return {
        pointer: `${error.instancePath}/${String(params.missingProperty)}`,
        message: `"${String(params.missingProperty)}" is required`,
      };
    case 'additionalProperties':
      return {
        pointer: `${error.instancePath}/${String(params.additionalProperty)}`,
        message: `"${String(params.additionalProperty)}" is not a known field`,
      };
    case 'enum':
      return {
        pointer: error.instancePath || '/',
        message: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'minItems':
      return {
        pointer: error.instancePath || '/',
        message: `needs at least ${String(params.limit)} ${params.limit === 1 ? 'item' : 'items'}`,
      };
    case 'pattern': {
      const examples = (error.parentSchema as { examples?: unknown[] } | undefined)?.examples;
      const hint = examples?.length ? `, e.g. ${examples.map((x) => JSON.stringify(x)).join(' or ')}` : '';
      return { pointer: error.instancePath || '/', message: `is not in the expected form${hint}` };
    }
    default:
      return { pointer: error.instancePath || '/', message: error.message ?? 'is invalid' };
  }
}
