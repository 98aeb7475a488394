// Failed activity attempts counted by activity and failure type (rapport_activity_failures_total).
import type { Db } from './client.js';

export async function countActivityFailure(db: Db, activity: string, kind: string): Promise<void> {
  await db`
    insert into activity_failures (activity, kind, count) values (${activity}, ${kind}, 1)
    on conflict (activity, kind) do update set count = activity_failures.count + 1, last_at = now()`;
}
