// Talent pools: stored definitions (static or smart), static members, previews, and the pools defined in
// pipelines/pools/*.yaml kept in step with their files.
import { findCandidates } from './candidates.js';
import type { Db } from './client.js';
import { isUuid } from '../domain.js';
import { contactable, inPool, matchesFilter, type PoolFilter, type PoolRef } from './pool-filter.js';

export interface PoolRow {
  id: string;
  name: string;
  description: string | null;
  kind: 'static' | 'smart';
  filter: PoolFilter | null;
  source_file: string | null;
  members: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface PoolInput {
  name: string;
  description?: string;
  filter?: PoolFilter;
}

export interface PoolPreview {
  count: number;
  contactable: number;
  sample: {
    id: string;
    first_name: string | null;
    last_name: string | null;
    email: string | null;
    location: string | null;
    tags: string[];
  }[];
}

const columns = (db: Db) => db`p.id, p.name, p.description, p.kind, p.filter, p.source_file,
  case when p.kind = 'static' then (select count(*)::int from pool_members m where m.pool_id = p.id) end as members,
  p.created_at, p.updated_at`;

export async function listPools(db: Db): Promise<PoolRow[]> {
  return db<PoolRow[]>`select ${columns(db)} from pools p order by p.name`;
}

/** A pool by id (a UUID) or by name. */
export async function getPool(db: Db, idOrName: string): Promise<PoolRow | undefined> {
  const byId = isUuid(idOrName);
  const [row] = await db<PoolRow[]>`
    select ${columns(db)} from pools p where ${byId ? db`p.id = ${idOrName}` : db`p.name = ${idOrName}`}`;
  return row;
}

/** Creates a pool; undefined when the name is taken. */
export async function createPool(
  db: Db,
  input: PoolInput,
  sourceFile?: string,
): Promise<PoolRow | undefined> {
  const [row] = await db<{ id: string }[]>`
    insert into pools (name, description, kind, filter, source_file)
    values (${input.name}, ${input.description ?? null}, ${input.filter ? 'smart' : 'static'},
      ${input.filter ? db.json(input.filter as never) : null}, ${sourceFile ?? null})
    on conflict (name) do nothing returning id`;
  return row ? getPool(db, row.id) : undefined;
}

/** Replaces a pool's description and filter (a static pool keeps its members while it stays static). */
export async function replacePool(db: Db, id: string, input: PoolInput): Promise<PoolRow | undefined> {
  await db`
    update pools set name = ${input.name}, description = ${input.description ?? null},
      kind = ${input.filter ? 'smart' : 'static'}, filter = ${input.filter ? db.json(input.filter as never) : null},
      updated_at = now()
    where id = ${id}`;
  if (input.filter) await db`delete from pool_members where pool_id = ${id}`;
  return getPool(db, id);
}

export async function deletePool(db: Db, id: string): Promise<boolean> {
  return (await db`delete from pools where id = ${id}`).count > 0;
}

/** A pool file names a pool the API created: publishing would take it over. */
export class PoolNameTaken extends Error {
  override name = 'PoolNameTaken';
}

/** JSON with object keys in order: PostgreSQL's jsonb keeps its own order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/**
 * Pools defined by the pipelines' files: created, or changed to match, by name; nothing else is touched.
 * A file naming a pool the API created is refused (PoolNameTaken), so publishing never takes one over.
 */
export async function syncFilePools(
  db: Db,
  pools: readonly (PoolInput & { file: string })[],
): Promise<{ created: string[]; changed: string[] }> {
  const created: string[] = [];
  const changed: string[] = [];
  for (const pool of pools) {
    const existing = await getPool(db, pool.name);
    if (!existing) {
      await createPool(db, pool, pool.file);
      created.push(pool.name);
      continue;
    }
    if (!existing.source_file)
      throw new PoolNameTaken(
        `${pool.file}: a pool named ${pool.name} was created through the API; rename the file's pool or delete that one`,
      );
    const same =
      existing.source_file === pool.file &&
      (existing.description ?? undefined) === pool.description &&
      canonical(existing.filter ?? null) === canonical(pool.filter ?? null);
    if (same) continue;
    await replacePool(db, existing.id, pool);
    await db`update pools set source_file = ${pool.file} where id = ${existing.id}`;
    changed.push(pool.name);
  }
  return { created, changed };
}

/** Adds candidates (by id or email) to a static pool; says who was added, already there, or unknown. */
export async function addMembers(
  db: Db,
  poolId: string,
  input: { candidateIds?: string[]; emails?: string[] },
): Promise<{ added: number; already: number; unknown: string[] }> {
  const { candidates, unknown } = await findCandidates(db, input);
  const inserted = await db`
    insert into pool_members (pool_id, candidate_id)
    select ${poolId}, unnest(${candidates}::uuid[]) on conflict do nothing`;
  return { added: inserted.count, already: candidates.length - inserted.count, unknown };
}

export async function removeMember(db: Db, poolId: string, candidateId: string): Promise<boolean> {
  return (
    (await db`delete from pool_members where pool_id = ${poolId} and candidate_id = ${candidateId}`).count > 0
  );
}

/** How many candidates a pool (or a filter) holds now, how many may be emailed, and a sample. */
export async function previewPool(
  db: Db,
  pool: PoolRef | { filter: PoolFilter },
  sample = 10,
  now = new Date(),
): Promise<PoolPreview> {
  // A fragment belongs to one query: each query gets its own.
  const where = () => ('id' in pool ? inPool(db, pool, now) : matchesFilter(db, pool.filter, now));
  const [counts, rows] = await Promise.all([
    db<{ count: number; contactable: number }[]>`
      select count(*)::int as count, count(*) filter (where ${contactable(db)})::int as contactable
      from candidates c where ${where()}`,
    sample > 0
      ? db<PoolPreview['sample']>`
          select c.id, c.first_name, c.last_name, c.email, c.location, c.tags
          from candidates c where ${where()} order by c.updated_at desc, c.id limit ${sample}`
      : Promise.resolve([]),
  ]);
  return { count: counts[0]!.count, contactable: counts[0]!.contactable, sample: [...rows] };
}
