// What a journey step reads and changes about its candidate: the scope data, the send history for the
// cap, updates to fields and tags, and tasks.
import type { Db } from './client.js';
import { getCandidate } from './candidates.js';

const UPDATABLE = new Set(['stage', 'employment_status', 'owner', 'location', 'timezone', 'locale']);

export async function loadStepContext(db: Db, candidateId: string) {
  const candidate = await getCandidate(db, candidateId);
  if (!candidate) return undefined;
  const rows = await db<{ sent_at: Date }[]>`
    select sent_at from messages where candidate_id = ${candidateId} and sent_at is not null
      and sent_at > now() - interval '400 days' order by sent_at`;
  return { candidate, sentAt: rows.map((r) => r.sent_at.toISOString()) };
}

export async function applyUpdate(
  db: Db,
  candidateId: string,
  update: {
    set?: Record<string, string | null>;
    tags?: { add?: string[]; remove?: string[] };
    pools?: { add?: string[]; remove?: string[] };
  },
): Promise<void> {
  const set = update.set ?? {};
  const refused = Object.keys(set).filter((field) => !UPDATABLE.has(field));
  if (refused.length) throw new Error(`field ${refused.join(', ')} cannot be updated by a playbook`);
  if (Object.keys(set).length) {
    await db`update candidates set ${db(set)}, updated_at = now() where id = ${candidateId}`;
  }
  const add = update.tags?.add ?? [];
  const remove = update.tags?.remove ?? [];
  if (add.length || remove.length) {
    await db`
      update candidates set tags = array(
        select distinct t from unnest(tags || ${add}::text[]) t where t <> all(${remove}::text[])), updated_at = now()
      where id = ${candidateId}`;
  }
  await applyPools(db, candidateId, update.pools ?? {});
}

/** Adds the candidate to static pools (created if there is none of the name) and takes them out of others. */
async function applyPools(db: Db, candidateId: string, pools: { add?: string[]; remove?: string[] }) {
  const add = pools.add ?? [];
  const remove = pools.remove ?? [];
  if (!add.length && !remove.length) return;
  await db`insert into pools (name, kind) select unnest(${add}::text[]), 'static' on conflict (name) do nothing`;
  const smart = await db<{ name: string }[]>`
    select name from pools where name = any (${[...add, ...remove]}::text[]) and kind = 'smart'`;
  if (smart.length)
    throw new PoolIsSmart(
      `${smart.map((p) => p.name).join(', ')}: a smart pool's filter decides who is in it`,
    );
  await db`
    insert into pool_members (pool_id, candidate_id)
    select id, ${candidateId} from pools where name = any (${add}::text[]) on conflict do nothing`;
  await db`
    delete from pool_members m using pools p
    where p.id = m.pool_id and p.name = any (${remove}::text[]) and m.candidate_id = ${candidateId}`;
}

/** An update step names a smart pool: retrying cannot mend it. */
export class PoolIsSmart extends Error {
  override name = 'PoolIsSmart';
}

export async function createTask(
  db: Db,
  task: {
    key: string;
    candidateId: string;
    journeyId: string;
    step: string;
    title: string;
    assignee: string;
    due?: string | undefined;
  },
): Promise<{ id: string; created: boolean }> {
  const [row] = await db<{ id: string }[]>`
    insert into tasks (idempotency_key, candidate_id, journey_id, step, title, assignee, due_at)
    values (${task.key}, ${task.candidateId}, ${task.journeyId}, ${task.step}, ${task.title}, ${task.assignee},
      ${task.due ?? null})
    on conflict (idempotency_key) do nothing
    returning id`;
  if (row) return { id: row.id, created: true };
  const [existing] = await db<{ id: string }[]>`select id from tasks where idempotency_key = ${task.key}`;
  return { id: existing!.id, created: false };
}
