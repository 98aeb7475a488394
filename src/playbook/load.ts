// Reads playbooks from pipelines/, validates their structure (schemas/playbook.schema.json) and their
// meaning (src/playbook/checks.ts), and reports every problem at once as
// `file:line:column: message (at /json/pointer)`.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { PlaybookDefinition } from '../interpreter/index.js';
import { loadTemplates, TemplateError } from '../templates/engine.js';
import { semanticErrors, type CheckContext } from './checks.js';
import { PlaybookError, PlaybookErrors } from './errors.js';
import { validateSources } from './sources.js';
import { POLICY_FILE, validatePolicy } from './policy.js';
import { ORG_FILE, validateOrg } from './org.js';
import { validatePools, type PoolFile } from './pools.js';
import { structuralErrors } from './structure.js';
import { parseYamlText } from './yaml-text.js';
import type { FieldError } from '../schemas/index.js';

export { PlaybookError, PlaybookErrors } from './errors.js';

/** Files of the pipelines folder that are not playbooks: the contact policy, the organisation's content. */
export const NOT_PLAYBOOKS: readonly string[] = [POLICY_FILE, ORG_FILE];

/** Files larger than this are refused before parsing. */
export const MAX_PLAYBOOK_BYTES = 512 * 1024;

const NO_CROSS_CHECKS: CheckContext = { hasTemplate: () => true, hasPlaybook: () => true };

/** Parses and validates one playbook file's text. Throws PlaybookErrors listing every problem. */
export function parsePlaybook(
  file: string,
  text: string,
  context: CheckContext = NO_CROSS_CHECKS,
): PlaybookDefinition {
  if (Buffer.byteLength(text) > MAX_PLAYBOOK_BYTES) {
    throw new PlaybookErrors([
      new PlaybookError(
        file,
        1,
        1,
        `the file is larger than ${MAX_PLAYBOOK_BYTES / 1024} KiB; split the playbook`,
        '',
      ),
    ]);
  }
  const yaml = parseYamlText(file, text);
  if (yaml.errors.length) throw new PlaybookErrors(yaml.errors);
  const data = yaml.data;
  const fail = (errors: FieldError[]): never => {
    throw new PlaybookErrors(errors.map((e) => yaml.errorAt(e.pointer, e.message)));
  };
  const structure = structuralErrors(data);
  if (structure.length) fail(structure);
  const definition = data as PlaybookDefinition;
  const expected = path.basename(file).replace(/\.ya?ml$/, '');
  const meaning = semanticErrors(definition, context);
  if (definition.playbook !== expected) {
    meaning.unshift({ pointer: '/playbook', message: `playbook id must equal the file name "${expected}"` });
  }
  if (meaning.length) fail(meaning);
  return definition;
}

export interface Pipelines {
  playbooks: Map<string, PlaybookDefinition>;
  /** The talent pools of pipelines/pools/ (not read when `only` names files). */
  pools: PoolFile[];
  errors: PlaybookError[];
}

/** Validates every playbook in a pipelines directory against its templates and each other. */
export async function validatePipelines(dir: string, only?: readonly string[]): Promise<Pipelines> {
  const errors: PlaybookError[] = [];
  const templatesDir = path.join(dir, 'templates');
  const templates = await loadTemplates(templatesDir).catch((error: unknown) => {
    if (!(error instanceof TemplateError)) throw error;
    errors.push(
      new PlaybookError(path.join(templatesDir, `${error.template}.liquid`), 1, 1, error.message, ''),
    );
    return undefined;
  });
  if (!only) {
    for (const p of templates?.problems() ?? [])
      errors.push(new PlaybookError(p.file, p.line, p.column, p.message, ''));
    errors.push(...(await validateSources(dir)).errors);
  }
  const files = (await fs.readdir(dir))
    .filter((f) => /\.ya?ml$/.test(f) && !NOT_PLAYBOOKS.includes(f))
    .sort();
  const ids = new Set(files.map((f) => f.replace(/\.ya?ml$/, '')));
  let pools: PoolFile[] = [];
  if (!only) {
    const checked = await validatePools(dir, ids);
    pools = checked.pools;
    errors.push(
      ...(await validatePolicy(dir, ids)).errors,
      ...(await validateOrg(dir)).errors,
      ...checked.errors,
    );
  }
  const context: CheckContext = {
    hasTemplate: (id) => templates?.has(id) ?? true,
    hasPlaybook: (id) => ids.has(id),
  };
  const playbooks = new Map<string, PlaybookDefinition>();
  for (const name of files) {
    const file = path.join(dir, name);
    if (only && !only.includes(path.resolve(file))) continue;
    try {
      const definition = parsePlaybook(file, await fs.readFile(file, 'utf8'), context);
      playbooks.set(definition.playbook, definition);
    } catch (error) {
      if (error instanceof PlaybookErrors) errors.push(...error.errors);
      else throw error;
    }
  }
  return { playbooks, pools, errors };
}
