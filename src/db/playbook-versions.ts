// Published playbook versions. Publishing stores a playbook's definition as a new version when its
// content changed; new enrollments use the latest published version, while running journeys keep the
// definition they enrolled with (it is pinned in their state).
import { createHash } from 'node:crypto';
import type { PlaybookDefinition } from '../interpreter/index.js';
import type { Db } from './client.js';

export interface PublishResult {
  published: { playbook: string; version: number }[];
  unchanged: { playbook: string; version: number }[];
  /** Content changed but the version was not bumped: nothing stored for these. */
  refused: { playbook: string; version: number; latest: number; file: string | undefined }[];
}

/** A stable hash of a definition: keys sorted, so formatting and key order do not count as changes. */
export function contentHash(definition: PlaybookDefinition): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === 'object'
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
          )
        : value;
  return createHash('sha256')
    .update(JSON.stringify(canonical(definition)))
    .digest('hex');
}

export async function publishPlaybooks(
  db: Db,
  playbooks: ReadonlyMap<string, PlaybookDefinition>,
  files: ReadonlyMap<string, string> = new Map(),
  options: { dryRun?: boolean } = {},
): Promise<PublishResult> {
  const result: PublishResult = { published: [], unchanged: [], refused: [] };
  for (const definition of [...playbooks.values()].sort((a, b) => a.playbook.localeCompare(b.playbook))) {
    const hash = contentHash(definition);
    const [latest] = await db<{ version: number; content_hash: string }[]>`
      select version, content_hash from playbook_versions where playbook = ${definition.playbook}
      order by version desc limit 1`;
    const entry = { playbook: definition.playbook, version: definition.version };
    if (latest?.content_hash === hash) {
      result.unchanged.push({ ...entry, version: latest.version });
    } else if (latest && definition.version <= latest.version) {
      result.refused.push({ ...entry, latest: latest.version, file: files.get(definition.playbook) });
    } else {
      if (!options.dryRun) {
        await db`
          insert into playbook_versions (playbook, version, stage, content_hash, definition, source_file)
          values (${definition.playbook}, ${definition.version}, ${definition.stage}, ${hash},
            ${db.json(definition as never)}, ${files.get(definition.playbook) ?? null})`;
      }
      result.published.push(entry);
    }
  }
  return result;
}

/** The latest published version of every playbook. */
export async function latestPlaybooks(db: Db): Promise<Map<string, PlaybookDefinition>> {
  const rows = await db<{ definition: PlaybookDefinition }[]>`
    select distinct on (playbook) definition from playbook_versions order by playbook, version desc`;
  return new Map(rows.map((r) => [r.definition.playbook, r.definition]));
}

/** One published version of a playbook, and the versions that exist. */
export async function playbookVersion(
  db: Db,
  playbook: string,
  version: number,
): Promise<{ definition: PlaybookDefinition | undefined; versions: number[] }> {
  const rows = await db<{ version: number; definition: PlaybookDefinition }[]>`
    select version, definition from playbook_versions where playbook = ${playbook} order by version`;
  return {
    definition: rows.find((r) => r.version === version)?.definition,
    versions: rows.map((r) => r.version),
  };
}

/** Every playbook at its latest version, with its journeys counted by status. */
export function listPlaybookSummaries(db: Db) {
  return db<
    {
      playbook: string;
      version: number;
      stage: string;
      for: string;
      title: string | null;
      published_at: Date;
      journeys: Record<string, number>;
    }[]
  >`
    select p.playbook, p.version, p.stage, coalesce(p.definition ->> 'for', 'candidate') as for,
      p.definition ->> 'title' as title, p.published_at,
      coalesce((select jsonb_object_agg(status, n) from (
        select status, count(*)::int as n from journeys j where j.playbook = p.playbook group by status) s),
        '{}') as journeys
    from (select distinct on (playbook) * from playbook_versions order by playbook, version desc) p
    order by p.playbook`;
}

/** Versions of a playbook, oldest first, with the definition of each. */
export function playbookVersions(db: Db, playbook: string) {
  return db<
    {
      version: number;
      stage: string;
      content_hash: string;
      source_file: string | null;
      published_at: Date;
      definition: PlaybookDefinition;
    }[]
  >`
    select version, stage, content_hash, source_file, published_at, definition from playbook_versions
    where playbook = ${playbook} order by version`;
}

/** Journeys of a playbook that have not ended, counted by version, step and status. */
export function activeJourneysByStep(db: Db, playbook: string) {
  return db<{ version: number; step: string | null; status: string; journeys: number }[]>`
    select playbook_version as version, current_step as step, status, count(*)::int as journeys from journeys
    where playbook = ${playbook} and ended_at is null
    group by playbook_version, current_step, status order by playbook_version, current_step, status`;
}

/**
 * Journeys per playbook whose goal was reached: the candidate had an event of the playbook's `goal` type
 * (as pinned in the journey's version) after the journey started.
 */
export async function goalConversions(db: Db): Promise<Map<string, number>> {
  const rows = await db<{ playbook: string; n: number }[]>`
    select j.playbook, count(*)::int as n
    from journeys j join playbook_versions p on p.playbook = j.playbook and p.version = j.playbook_version
    where p.definition ? 'goal' and exists (
      select 1 from events e where e.candidate_id = j.candidate_id and e.type = p.definition ->> 'goal'
        and e.occurred_at >= j.started_at)
    group by j.playbook`;
  return new Map(rows.map((r) => [r.playbook, r.n]));
}
