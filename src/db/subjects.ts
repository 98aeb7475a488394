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
  update: { set?: Record<string, string | null>; tags?: { add?: string[]; remove?: string[] } },
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
