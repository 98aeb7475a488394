// Settings every process shares, kept in the database (the link secret, made by a migration).
import type { Db } from './client.js';

export async function linkSecret(db: Db): Promise<string | undefined> {
  const [row] = await db<{ value: string }[]>`select value from settings where key = 'link_secret'`;
  return row?.value;
}
