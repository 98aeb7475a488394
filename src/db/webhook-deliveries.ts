// Signed webhook requests seen within the replay window: the same signed request twice is a replay.
import type { Db } from './client.js';

/** Records a signed request; false when it was seen before. Forgets what is older than the window. */
export async function firstDelivery(
  db: Db,
  source: string,
  signature: string,
  windowS: number,
): Promise<boolean> {
  await db`delete from webhook_deliveries where received_at < now() - make_interval(secs => ${windowS * 2})`;
  const rows = await db`
    insert into webhook_deliveries (source, signature) values (${source}, ${signature})
    on conflict do nothing`;
  return rows.count === 1;
}
