// Talent pools written as files (pipelines/pools/<name>.yaml), in the shape POST /v1/pools takes
// (schemas/pool-input.schema.json): checked with every problem at file:line:column, and kept in step with
// the database when the pipelines are published.
import fs from 'node:fs';
import path from 'node:path';
import { filterProblems } from '../db/pool-filter.js';
import type { PoolInput } from '../db/pools.js';
import type { FieldError } from '../schemas/index.js';
import type { PlaybookError } from './errors.js';
import { readYamlFile } from './yaml-file.js';

export const POOLS_DIR = 'pools';

export type PoolFile = PoolInput & { file: string };

/** Validates every pool file; `playbooks` are the ids a filter may name. */
export async function validatePools(
  pipelinesDir: string,
  playbooks: ReadonlySet<string>,
): Promise<{ pools: PoolFile[]; errors: PlaybookError[] }> {
  const dir = path.join(pipelinesDir, POOLS_DIR);
  if (!fs.existsSync(dir)) return { pools: [], errors: [] };
  const pools: PoolFile[] = [];
  const errors: PlaybookError[] = [];
  const files = (await fs.promises.readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const name of files) {
    const file = path.join(dir, name);
    const read = await readYamlFile<PoolInput>(file, 'pool-input.schema.json');
    errors.push(...read.errors);
    if (!read.value) continue;
    const problems: FieldError[] = [];
    const own = name.replace(/\.ya?ml$/, '');
    if (read.value.name !== own)
      problems.push({
        pointer: '/name',
        message: `is "${read.value.name}" but the file is ${name}: name it ${own}`,
      });
    if (read.value.filter) {
      const { missing, invalid } = filterProblems(read.value.filter, (id) => playbooks.has(id));
      problems.push(...missing, ...invalid);
    }
    read.report(problems);
    if (problems.length) errors.push(...read.errors);
    else pools.push({ ...read.value, file: path.join(POOLS_DIR, name) });
  }
  return { pools, errors };
}
