// The organisation's file (pipelines/org.yaml): validated against schemas/org.schema.json, news dates
// checked against the calendar. Without the file, the organisation is its name (RAPPORT_ORG_NAME).
import fs from 'node:fs';
import path from 'node:path';
import type { OrgContent } from '../interpreter/org.js';
import { PlaybookError, PlaybookErrors } from './errors.js';
import { readYamlFile } from './yaml-file.js';

export const ORG_FILE = 'org.yaml';

export async function validateOrg(
  pipelinesDir: string,
): Promise<{ org?: OrgContent; errors: PlaybookError[] }> {
  const file = path.join(pipelinesDir, ORG_FILE);
  if (!fs.existsSync(file)) return { errors: [] };
  const read = await readYamlFile<OrgContent>(file, 'org.schema.json');
  return read.value ? { org: read.value, errors: [] } : { errors: read.errors };
}

/**
 * The organisation: the pipelines' org.yaml (its name replaced by `name` when given, RAPPORT_ORG_NAME),
 * else just that name. Throws PlaybookErrors naming every problem (processes refuse to start).
 */
export async function loadOrg(pipelinesDir: string, name?: string): Promise<OrgContent> {
  const { org, errors } = await validateOrg(pipelinesDir);
  if (errors.length) throw new PlaybookErrors(errors);
  return { ...(org ?? { name: 'Rapport' }), ...(name ? { name } : {}) };
}
