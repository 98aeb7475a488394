// Failed activity attempts counted by activity and failure type (rapport_activity_failures_total).
import type { Db } from './client.js';

export async function countActivityFailure(db: Db, activity: string, kind: string): Promise<void> {
  await db`
    insert into activity_failures (activity, kind, count) values (${activity}, ${kind}, 1)
    on conflict (activity, kind) do update set count = activity_failures.count + 1, last_at = now()`;
}

export async function activityFailureCounts(
  db: Db,
): Promise<{ activity: string; kind: string; n: number }[]> {
  return db<{ activity: string; kind: string; n: number }[]>`
    select activity, kind, count::float8 as n from activity_failures`;
}
