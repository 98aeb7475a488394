// Numbered, forward-only SQL migrations. Each file runs once, in its own transaction, under an
// advisory lock so that an API and a worker starting together do not race.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sql } from './client.js';

import { MIGRATIONS_DIR } from '../paths.js';

const LOCK_ID = 7_233_001;

export interface Migration {
  readonly id: number;
  readonly name: string;
  readonly file: string;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return files.map((name) => {
    const match = /^(\d{4})_[a-z0-9_]+\.sql$/.exec(name);
    if (!match) throw new Error(`Migration file ${name} must be named NNNN_snake_case.sql`);
    return { id: Number(match[1]), name, file: path.join(dir, name) };
  });
}

/** Applies the pending migrations and returns the names of those it applied. */
export async function migrate(sql: Sql, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await listMigrations(dir);
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_ID})`;
    await tx`create table if not exists schema_migrations (
      id integer primary key, name text not null, applied_at timestamptz not null default now())`;
    const done = new Set((await tx<{ id: number }[]>`select id from schema_migrations`).map((r) => r.id));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await tx.unsafe(await fs.readFile(m.file, 'utf8'));
      await tx`insert into schema_migrations (id, name) values (${m.id}, ${m.name})`;
      applied.push(m.name);
    }
    return applied;
  });
}
