// Publishing the pipelines' playbooks to PostgreSQL (`rapport playbooks publish`, and at `rapport up`).
import path from 'node:path';
import type { Db } from '../db/client.js';
import { publishPlaybooks, type PublishResult } from '../db/playbook-versions.js';
import { PlaybookErrors, validatePipelines } from '../playbook/load.js';
import { syncFilePools } from '../db/pools.js';

export class PublishRefused extends Error {
  constructor(readonly result: PublishResult) {
    super(
      result.refused
        .map(
          (r) =>
            `${r.file ?? r.playbook}: the content changed but version ${r.latest} is already published; set version: ${r.latest + 1}`,
        )
        .join('\n'),
    );
    this.name = 'PublishRefused';
  }
}

export type Published = PublishResult & { pools: { created: string[]; changed: string[] } };

/**
 * Validates the pipelines, then stores every playbook whose content changed as a new version, and creates
 * or changes the talent pools of pipelines/pools/ to match their files.
 */
export async function publishPipelines(
  db: Db,
  pipelinesDir: string,
  options: { dryRun?: boolean } = {},
): Promise<Published> {
  const { playbooks, pools, errors } = await validatePipelines(pipelinesDir);
  if (errors.length) throw new PlaybookErrors(errors);
  const files = new Map([...playbooks.keys()].map((id) => [id, path.join(pipelinesDir, `${id}.yaml`)]));
  const result = await publishPlaybooks(db, playbooks, files, options);
  if (result.refused.length) throw new PublishRefused(result);
  const synced = options.dryRun ? { created: [], changed: [] } : await syncFilePools(db, pools);
  return { ...result, pools: synced };
}

export function describePublish(result: Published, dryRun = false): string[] {
  const verb = dryRun ? 'would publish' : 'published';
  return [
    ...result.published.map((p) => `${verb} ${p.playbook} v${p.version}`),
    ...result.pools.created.map((p) => `created pool ${p}`),
    ...result.pools.changed.map((p) => `changed pool ${p}`),
    `${result.published.length} ${verb}, ${result.unchanged.length} unchanged`,
  ];
}
