// One YAML file of the pipelines checked against its JSON Schema, with every problem reported as
// `file:line:column` (source mappings, the contact policy, the organisation's content).
import fs from 'node:fs';
import { validate, type FieldError } from '../schemas/index.js';
import type { PlaybookError } from './errors.js';
import { parseYamlText } from './yaml-text.js';

export interface YamlFile<T> {
  /** The value, when the file parsed and its schema holds; check `errors` for meaning problems too. */
  value?: T;
  errors: PlaybookError[];
  /** Reports problems found in the value, each at the line of the field its pointer names. */
  report(problems: readonly FieldError[]): void;
}

/** Reads and validates a YAML file against `schemas/<schema>`. */
export async function readYamlFile<T>(file: string, schema: string): Promise<YamlFile<T>> {
  return checkYamlText(file, await fs.promises.readFile(file, 'utf8'), schema);
}

/** Validates the text of a YAML file against `schemas/<schema>`. */
export function checkYamlText<T>(file: string, text: string, schema: string): YamlFile<T> {
  const yaml = parseYamlText(file, text);
  const errors: PlaybookError[] = [...yaml.errors];
  const report = (problems: readonly FieldError[]) => {
    for (const p of problems) errors.push(yaml.errorAt(p.pointer, p.message));
  };
  if (errors.length) return { errors, report };
  const result = validate<T>(schema, yaml.data);
  if (!result.ok) {
    report(result.errors);
    return { errors, report };
  }
  return { value: result.value, errors, report };
}
