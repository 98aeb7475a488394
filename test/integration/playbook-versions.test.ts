// Publishing playbook versions: unchanged content is not stored again, a change without a version bump
// is refused with the file to fix, and new enrollments use the latest published version.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishPipelines, PublishRefused } from '../../src/cli/publish.js';
import { latestPlaybooks } from '../../src/db/playbook-versions.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const SHIPPED = path.resolve(import.meta.dirname, '../../pipelines');
let db: TestDatabase;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-publish-'));
  await fs.cp(SHIPPED, dir, { recursive: true });
});
afterAll(async () => {
  await db?.drop();
  await fs.rm(dir, { recursive: true, force: true });
});

const file = () => path.join(dir, 'engage-not-selected.yaml');

describe('publishing playbooks', () => {
  it('stores each playbook once, and nothing when nothing changed', async () => {
    const first = await publishPipelines(db.sql, dir);
    expect(first.published.length).toBeGreaterThan(10);
    const again = await publishPipelines(db.sql, dir);
    expect(again.published).toEqual([]);
    expect(again.unchanged.length).toBe(first.published.length);
  });

  it('refuses changed content without a version bump, naming the file and the version to set', async () => {
    await fs.writeFile(
      file(),
      (await fs.readFile(file(), 'utf8')).replace('send: rejection-feedback', 'send: skills-advice'),
    );
    const error = await publishPipelines(db.sql, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PublishRefused);
    expect((error as Error).message).toBe(
      `${file()}: the content changed but version 1 is already published; set version: 2`,
    );
    expect((await latestPlaybooks(db.sql)).get('engage-not-selected')?.version).toBe(1);
  });

  it('publishes the bumped version; new enrollments get it, the old one stays stored', async () => {
    await fs.writeFile(file(), (await fs.readFile(file(), 'utf8')).replace('version: 1', 'version: 2'));
    const result = await publishPipelines(db.sql, dir);
    expect(result.published).toEqual([{ playbook: 'engage-not-selected', version: 2 }]);
    const latest = (await latestPlaybooks(db.sql)).get('engage-not-selected')!;
    expect(latest.version).toBe(2);
    expect(latest.steps).toEqual([{ id: 'feedback', send: 'skills-advice' }]);
    const versions = await db.sql<{ version: number }[]>`
      select version from playbook_versions where playbook = 'engage-not-selected' order by version`;
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('is a command: rapport playbooks publish [--dry-run]', async () => {
    await fs.writeFile(
      file(),
      (await fs.readFile(file(), 'utf8'))
        .replace('version: 2', 'version: 3')
        .replace('send: skills-advice', 'send: rejection-feedback'),
    );
    const env = cleanEnv({ DATABASE_URL: db.url, RAPPORT_PIPELINES_DIR: dir });
    const dry = await runCli(['playbooks', 'publish', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.output).toContain('would publish engage-not-selected v3');
    expect((await latestPlaybooks(db.sql)).get('engage-not-selected')?.version).toBe(2);
    const real = await runCli(['playbooks', 'publish'], env);
    expect(real.code).toBe(0);
    expect(real.output).toContain('published engage-not-selected v3');
    expect((await latestPlaybooks(db.sql)).get('engage-not-selected')?.version).toBe(3);
  });
});
