// fast-check values shaped by the JSON Schemas of schemas/ (draft 2020-12): objects with their required
// fields and some optional ones, lists, enums, numbers in range, and strings that are mostly hostile
// (from the given arbitrary) and sometimes in the form the schema asks (its format, pattern or examples),
// so that a body gets past validation often enough to reach what runs behind it.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { compileSchema, SCHEMAS_DIR } from '../../src/schemas/index.js';

type Schema = Record<string, unknown>;

const files = new Map<string, Schema>();
function schemaFile(name: string): Schema {
  let schema = files.get(name);
  if (!schema) {
    schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, name), 'utf8')) as Schema;
    files.set(name, schema);
  }
  return schema;
}

/** The schema a `$ref` names, and the file further refs in it are relative to. */
function resolve(ref: string, file: string): { schema: Schema; file: string } {
  const [target, fragment = ''] = ref.split('#');
  const inFile = target ? target : file;
  let schema = schemaFile(inFile);
  for (const key of fragment.split('/').filter(Boolean)) schema = schema[key] as Schema;
  return { schema, file: inFile };
}

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  'date-time': fc
    .date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2999-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  date: fc
    .date({
      min: new Date('1970-01-01T00:00:00Z'),
      max: new Date('2999-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10)),
  email: fc.emailAddress(),
  uri: fc.webUrl(),
  uuid: fc.uuid(),
};

/** A value of `schema` (a file of schemas/, or an inline schema whose refs name files of schemas/). */
export function shapedBy(schema: string | Schema, text: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return typeof schema === 'string'
    ? arbitrary(schemaFile(schema), schema, text, 0)
    : arbitrary(schema, '', text, 0);
}

function arbitrary(
  schema: Schema,
  file: string,
  text: fc.Arbitrary<string>,
  depth: number,
): fc.Arbitrary<unknown> {
  if (depth > 10) return fc.constant(null);
  const next = (s: Schema, f = file) => arbitrary(s, f, text, depth + 1);
  if (typeof schema.$ref === 'string') {
    const target = resolve(schema.$ref, file);
    return next(target.schema, target.file);
  }
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const choices = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (choices) {
    const { oneOf: _o, anyOf: _a, ...rest } = schema;
    // Each choice narrows the rest: `{ required: [url] }` adds to what the object requires.
    const required = (c: Schema) => [
      ...((rest.required ?? []) as string[]),
      ...((c.required ?? []) as string[]),
    ];
    return fc.oneof(...choices.map((c) => next({ ...rest, ...c, required: required(c) })));
  }
  const types = [schema.type ?? (schema.properties ? 'object' : 'string')].flat() as string[];
  return fc.oneof(...types.map((type) => ofType(type, schema, next, text)));
}

function ofType(
  type: string,
  schema: Schema,
  next: (s: Schema) => fc.Arbitrary<unknown>,
  text: fc.Arbitrary<string>,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({
        min: Math.max(Number(schema.minimum ?? -1e6), -(2 ** 31)),
        max: Math.min(Number(schema.maximum ?? 1e6), 2 ** 31),
      });
    case 'number':
      return fc.double({
        min: Number(schema.minimum ?? -1e6),
        max: Number(schema.maximum ?? 1e6),
        noNaN: true,
      });
    case 'array': {
      const items = schema.items ? next(schema.items as Schema) : text;
      const minLength = Math.min(Number(schema.minItems ?? 0), 3);
      return fc.array(items, { minLength, maxLength: Math.max(minLength, 3) });
    }
    case 'object':
      return object(schema, next, text);
    default:
      return string(schema, text);
  }
}

function object(
  schema: Schema,
  next: (s: Schema) => fc.Arbitrary<unknown>,
  text: fc.Arbitrary<string>,
): fc.Arbitrary<unknown> {
  if (!schema.properties && schema.additionalProperties === undefined) return freeObject(text);
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = (schema.required ?? []) as string[];
  const fields = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, next(s)]));
  const known = fc.record(fields, { requiredKeys: required.filter((k) => k in fields) });
  const extra =
    schema.additionalProperties && typeof schema.additionalProperties === 'object'
      ? fc.dictionary(text, next(schema.additionalProperties as Schema), { maxKeys: 3 })
      : fc.constant({});
  const branch = conditional(schema);
  // The fields either branch of an `if` may require, ready in case the branch taken needs them.
  const branchFields = fc.record(
    Object.fromEntries(branch.required.filter((k) => k in fields).map((k) => [k, fields[k]!])),
  );
  return fc
    .tuple(known, extra, branchFields)
    .map(([k, e, b]) => branch.apply({ ...e, ...k }, b as Record<string, unknown>));
}

/**
 * An object schema's `if`/`then`/`else` (an event carries `candidate` unless it is a job event): the
 * branch the value takes has its required fields added and the fields it rules out (`false`) removed.
 */
function conditional(schema: Schema) {
  const branches = [schema.then, schema.else] as (Schema | undefined)[];
  const required = branches.flatMap((b) => (b?.required ?? []) as string[]);
  if (!schema.if) return { required, apply: (value: Record<string, unknown>) => value };
  const check = compileSchema({ type: 'object', ...(schema.if as Schema) });
  return {
    required,
    apply(value: Record<string, unknown>, ready: Record<string, unknown>) {
      const taken = (check(value).ok ? schema.then : schema.else) as Schema | undefined;
      if (!taken) return value;
      const out = { ...value };
      for (const [k, s] of Object.entries((taken.properties ?? {}) as Record<string, unknown>))
        if (s === false) delete out[k];
      for (const k of (taken.required ?? []) as string[]) if (!(k in out) && k in ready) out[k] = ready[k];
      return out;
    },
  };
}

/** An object the schema leaves open (an event's data, custom fields): hostile keys and values, nested. */
function freeObject(text: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      text,
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(text, tie('value'), { maxKeys: 3 }),
    ),
  }));
  return fc.dictionary(text, value, { maxKeys: 4 });
}

function string(schema: Schema, text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const sized = (s: string) =>
    s.length < min ? s.padEnd(min, 'x') : max === undefined ? s : s.slice(0, max);
  const hostile = text.map(sized);
  const formed: fc.Arbitrary<string>[] = [];
  const format = typeof schema.format === 'string' ? FORMATS[schema.format] : undefined;
  if (format) formed.push(format);
  else if (typeof schema.pattern === 'string') {
    try {
      const matching = fc.stringMatching(new RegExp(schema.pattern), { size: 'xsmall' });
      formed.push(max === undefined ? matching : matching.filter((s) => s.length <= max));
    } catch {
      // A pattern fast-check cannot generate from: the examples stand in for it.
    }
  }
  if (Array.isArray(schema.examples) && schema.examples.every((e) => typeof e === 'string'))
    formed.push(fc.constantFrom(...schema.examples));
  if (!formed.length) return hostile;
  // Mostly in form, so that the value gets past its check and the free text around it is what is tried.
  return fc.oneof({ weight: 6, arbitrary: fc.oneof(...formed) }, { weight: 1, arbitrary: hostile });
}
