// Job-board source mappings (pipelines/sources/<source>.yaml): validated against
// schemas/source.schema.json, and every Liquid value and condition must parse. A mapping says how its
// requests are signed, or explicitly that they are not: one that says neither is refused.
import fs from 'node:fs';
import path from 'node:path';
import { sourceLiquid } from '../sources/liquid.js';
import { SCHEMAS_DIR, type FieldError } from '../schemas/index.js';
import { readYamlFile } from './yaml-file.js';
import { PlaybookError, PlaybookErrors } from './errors.js';
import { patternError, type StageKindRule } from '../sources/stages.js';

export interface SourceSignature {
  /** Where the signature is: a header, or a dotted path into the body. */
  header?: string;
  field?: string;
  encoding?: 'hex' | 'base64';
  prefix?: string;
  /** Liquid: the signed text; default the body's bytes (`<timestamp>.` and them with `timestamp_header`). */
  signed?: string;
  timestamp_header?: string;
  /** Liquid: the send time, in `timestamp_unit`. */
  timestamp?: string;
  timestamp_unit?: 's' | 'ms';
  max_age_s?: number;
  /** Liquid: a value signed once; the same one with another body is a replay. */
  nonce?: string;
  secret_env?: string;
}

/** A stage as a payload names it (Liquid). */
export interface StageRef {
  name: string;
  type?: string;
}

export interface SourceRule {
  when: string;
  type: string;
  id?: string;
  occurred_at?: string;
  reads?: { as: string; path: string; optional?: boolean }[];
  candidate: Record<string, string>;
  stage?: StageRef;
  furthest_stage?: StageRef;
  reason?: string;
  data?: Record<string, unknown>;
  data_from?: string;
}

export interface SourceMapping {
  source: string;
  title?: string;
  docs?: string;
  signature?: SourceSignature;
  /** Takes unsigned requests from anyone who can reach the URL; said explicitly, never by leaving out `signature`. */
  unsigned?: true;
  ping?: string;
  answer_status?: 200 | 202;
  stage_kinds?: StageKindRule[];
  api?: {
    base_url: string;
    base_url_env?: string;
    auth?: { scheme: 'basic' | 'bearer'; secret_env: string };
  };
  events: SourceRule[];
}

const liquid = sourceLiquid;

/** Validates every mapping in `<pipelines>/sources/`; a missing folder means no sources. */
export async function validateSources(
  pipelinesDir: string,
): Promise<{ sources: Map<string, SourceMapping>; errors: PlaybookError[] }> {
  const dir = path.join(pipelinesDir, 'sources');
  const files = (await fs.promises.readdir(dir).catch(() => [] as string[]))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  const sources = new Map<string, SourceMapping>();
  const errors: PlaybookError[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    const read = await readYamlFile<SourceMapping>(file, 'source.schema.json');
    const mapping = read.value;
    if (mapping) {
      const problems = mappingProblems(mapping);
      const expected = name.replace(/\.ya?ml$/, '');
      if (mapping.source !== expected)
        problems.unshift({ pointer: '/source', message: `source id must equal the file name "${expected}"` });
      read.report(problems);
      if (!problems.length) sources.set(mapping.source, mapping);
    }
    errors.push(...read.errors);
  }
  return { sources, errors };
}

const asIs = (t: string) => t;

let types: string[] | undefined;
/** The event types schemas/event.schema.json knows. */
function eventTypes(): string[] {
  types ??= (
    JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'event.schema.json'), 'utf8')) as {
      properties: { type: { enum: string[] } };
    }
  ).properties.type.enum;
  return types;
}
const condition = (t: string) => `{% if ${t} %}{% endif %}`;

/** What is wrong in a schema-valid mapping: Liquid that does not parse, patterns that are not regexes, reads without an API. */
function mappingProblems(mapping: SourceMapping): FieldError[] {
  const problems: FieldError[] = [];
  const check = (pointer: string, text: string | undefined, wrap: (t: string) => string = asIs) => {
    if (text === undefined) return;
    try {
      liquid.parse(wrap(text));
    } catch (error) {
      problems.push({ pointer, message: `Liquid does not parse: ${(error as Error).message}` });
    }
  };
  if (!mapping.signature && !mapping.unsigned)
    problems.push({
      pointer: '/signature',
      message:
        'the mapping does not say how requests are signed: add a `signature` block (where the signature is and which variable holds the secret), or `unsigned: true` to take unsigned requests from anyone who can reach the URL',
    });
  if (mapping.signature && mapping.unsigned)
    problems.push({
      pointer: '/unsigned',
      message: '`unsigned: true` contradicts the `signature` block: remove one of them',
    });
  const signature = mapping.signature ?? {};
  for (const key of ['signed', 'timestamp', 'nonce'] as const) check(`/signature/${key}`, signature[key]);
  if (signature.field && signature.timestamp_header)
    problems.push({
      pointer: '/signature/timestamp_header',
      message: 'a signature in the body has its time in the body too: use `timestamp`',
    });
  check('/ping', mapping.ping, condition);
  (mapping.stage_kinds ?? []).forEach((rule, i) => {
    for (const key of ['type', 'name'] as const) {
      const error = rule[key] === undefined ? undefined : patternError(rule[key]);
      if (error)
        problems.push({ pointer: `/stage_kinds/${i}/${key}`, message: `not a regular expression: ${error}` });
    }
  });
  mapping.events.forEach((rule, i) => {
    const at = `/events/${i}`;
    check(`${at}/when`, rule.when, condition);
    if (!/[{%]/.test(rule.type) && !eventTypes().includes(rule.type))
      problems.push({
        pointer: `${at}/type`,
        message: `unknown event type "${rule.type}"; use one of ${eventTypes().join(', ')}`,
      });
    for (const key of ['type', 'id', 'occurred_at', 'reason'] as const) check(`${at}/${key}`, rule[key]);
    for (const [key, value] of Object.entries(rule.candidate)) check(`${at}/candidate/${key}`, value);
    for (const key of ['stage', 'furthest_stage'] as const) {
      check(`${at}/${key}/name`, rule[key]?.name);
      check(`${at}/${key}/type`, rule[key]?.type);
    }
    rule.reads?.forEach((read, j) => check(`${at}/reads/${j}/path`, read.path));
    if (rule.reads && !mapping.api)
      problems.push({
        pointer: `${at}/reads`,
        message: 'reads need the vendor API: add `api` with its base_url',
      });
    if (rule.reads && rule.id !== undefined && /\breads\./.test(rule.id))
      problems.push({
        pointer: `${at}/id`,
        message: 'the id names the delivery before any read: use payload and headers only',
      });
    check(`${at}/data_from`, rule.data_from, (t) => `{{ ${t} }}`);
  });
  return problems;
}

/** The valid source mappings, or PlaybookErrors naming every problem (the API refuses to start). */
export async function loadSources(pipelinesDir: string): Promise<Map<string, SourceMapping>> {
  const { sources, errors } = await validateSources(pipelinesDir);
  if (errors.length) throw new PlaybookErrors(errors);
  return sources;
}
