// Who a message went to: public links and replies name a message, and reach its candidate through it.
import type { Db } from './client.js';

export async function messageRecipient(db: Db, messageId: string) {
  const [row] = await db<
    {
      candidate_id: string;
      email: string | null;
      unsubscribed: boolean;
      journey_id: string | null;
      step: string | null;
    }[]
  >`
    select c.id as candidate_id, c.email, c.unsubscribed_at is not null as unsubscribed, m.journey_id, m.step
    from messages m join candidates c on c.id = m.candidate_id
    where m.id = ${messageId} and c.erased_at is null`;
  return row;
}

/** Whether the message was created less than `days` days ago; false when there is no such message. */
export async function messageNewerThan(db: Db, messageId: string, days: number): Promise<boolean> {
  const [row] = await db<{ live: boolean }[]>`
    select created_at > now() - make_interval(days => ${days}) as live from messages where id = ${messageId}`;
  return row?.live ?? false;
}
