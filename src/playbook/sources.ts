// Job-board source mappings (pipelines/sources/<source>.yaml): validated against
// schemas/source.schema.json, and every Liquid value and condition must parse.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { LineCounter, parseDocument } from 'yaml';
import { registerFilters } from '../expressions/filters.js';
import { validate, type FieldError } from '../schemas/index.js';
import { offsetOf, PlaybookError, PlaybookErrors } from './errors.js';

export interface SourceMapping {
  source: string;
  title?: string;
  signature?: {
    header: string;
    encoding?: 'hex' | 'base64';
    prefix?: string;
    timestamp_header?: string;
    secret_env?: string;
  };
  events: {
    when: string;
    type: string;
    id?: string;
    occurred_at?: string;
    candidate: Record<string, string>;
    data?: Record<string, unknown>;
    data_from?: string;
  }[];
}

const liquid = registerFilters(new Liquid({ strictFilters: true }));

/** Validates every mapping in `<pipelines>/sources/`; a missing folder means no sources. */
export async function validateSources(
  pipelinesDir: string,
): Promise<{ sources: Map<string, SourceMapping>; errors: PlaybookError[] }> {
  const dir = path.join(pipelinesDir, 'sources');
  const files = (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f)).sort();
  const sources = new Map<string, SourceMapping>();
  const errors: PlaybookError[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    const lines = new LineCounter();
    const doc = parseDocument(await fs.readFile(file, 'utf8'), { lineCounter: lines, uniqueKeys: true });
    const report = (problems: FieldError[]) =>
      problems.forEach((p) => {
        const { line, col } = lines.linePos(offsetOf(doc, p.pointer));
        errors.push(new PlaybookError(file, line, col, p.message, p.pointer));
      });
    if (doc.errors.length) {
      for (const e of doc.errors) {
        const { line, col } = lines.linePos(e.pos[0]);
        errors.push(new PlaybookError(file, line, col, e.message.split('\n')[0] ?? e.message, ''));
      }
      continue;
    }
    const result = validate<SourceMapping>('source.schema.json', doc.toJS({ maxAliasCount: 100 }));
    if (!result.ok) {
      report(result.errors);
      continue;
    }
    const problems: FieldError[] = [];
    if (result.value.source !== name.replace(/\.ya?ml$/, '')) {
      problems.push({
        pointer: '/source',
        message: `source id must equal the file name "${name.replace(/\.ya?ml$/, '')}"`,
      });
    }
    result.value.events.forEach((rule, i) => {
      const check = (pointer: string, text: string, wrap: (t: string) => string) => {
        try {
          liquid.parse(wrap(text));
        } catch (error) {
          problems.push({ pointer, message: `Liquid does not parse: ${(error as Error).message}` });
        }
      };
      check(`/events/${i}/when`, rule.when, (t) => `{% if ${t} %}{% endif %}`);
      for (const key of ['type', 'id', 'occurred_at'] as const) {
        if (rule[key] !== undefined) check(`/events/${i}/${key}`, rule[key], (t) => t);
      }
      for (const [key, value] of Object.entries(rule.candidate))
        check(`/events/${i}/candidate/${key}`, value, (t) => t);
      if (rule.data_from !== undefined) check(`/events/${i}/data_from`, rule.data_from, (t) => `{{ ${t} }}`);
    });
    report(problems);
    if (!problems.length) sources.set(result.value.source, result.value);
  }
  return { sources, errors };
}

/** The valid source mappings, or PlaybookErrors naming every problem (the API refuses to start). */
export async function loadSources(pipelinesDir: string): Promise<Map<string, SourceMapping>> {
  const { sources, errors } = await validateSources(pipelinesDir);
  if (errors.length) throw new PlaybookErrors(errors);
  return sources;
}
