// A fresh, migrated database per test file on the shared embedded PostgreSQL server.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createSql, type Sql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';

export interface TestDatabase {
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const name = `rapport_test_${randomBytes(6).toString('hex')}`;
  const admin = createSql(adminUrl, { max: 1 });
  await admin`create database ${admin(name)}`;
  const url = adminUrl.replace(/\/[^/]*$/, `/${name}`);
  const sql = createSql(url);
  await migrate(sql);
  return {
    url,
    sql,
    async drop() {
      await sql.end();
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end();
    },
  };
}

/** Row counts of the tables a request may write to, to prove that a rejected request wrote nothing. */
export async function rowCounts(sql: Sql): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, string>[]>`
    select (select count(*) from candidates) as candidates, (select count(*) from events) as events,
      (select count(*) from interactions) as interactions, (select count(*) from messages) as messages`;
  return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)]));
}
