// One YAML file of the pipelines checked against its JSON Schema, with every problem reported as
// `file:line:column` (source mappings, the contact policy, the organisation's content).
import fs from 'node:fs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { validate, type FieldError } from '../schemas/index.js';
import { offsetOf, PlaybookError } from './errors.js';

export interface YamlFile<T> {
  /** The value, when the file parsed and its schema holds; check `errors` for meaning problems too. */
  value?: T;
  errors: PlaybookError[];
  /** Reports problems found in the value, each at the line of the field its pointer names. */
  report(problems: readonly FieldError[]): void;
}

/** Reads and validates a YAML file against `schemas/<schema>`. */
export async function readYamlFile<T>(file: string, schema: string): Promise<YamlFile<T>> {
  const text = await fs.promises.readFile(file, 'utf8');
  const lines = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const errors: PlaybookError[] = [];
  const report = (problems: readonly FieldError[]) => {
    for (const p of problems) {
      const { line, col } = lines.linePos(offsetOf(doc, p.pointer));
      errors.push(new PlaybookError(file, line, col, p.message, p.pointer));
    }
  };
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const { line, col } = lines.linePos(e.pos[0]);
      errors.push(new PlaybookError(file, line, col, e.message.split('\n')[0] ?? e.message, ''));
    }
    return { errors, report };
  }
  const result = validate<T>(schema, doc.toJS({ maxAliasCount: 100 }));
  if (!result.ok) {
    report(result.errors);
    return { errors, report };
  }
  return { value: result.value, errors, report };
}
