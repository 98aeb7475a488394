// Databases of a PostgreSQL server: creating Rapport's own on a fresh embedded server.
import postgres from 'postgres';

/** Creates `database` unless the server has it, connecting to the server's maintenance database. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${database}`;
    if (rows.length === 0) await sql`create database ${sql(database)}`;
  } finally {
    await sql.end();
  }
}
