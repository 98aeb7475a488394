// The timeline's one writer over real PostgreSQL: each kind of entry is written once per key, whoever
// writes it again (a retried activity, a replayed workflow, a redelivered event), and entries written
// before keys existed get theirs from the migration.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { upsertCandidate } from '../../src/db/candidates.js';
import { createSql } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { recordTimeline, type NewTimelineEntry } from '../../src/db/timeline.js';
import { MIGRATIONS_DIR } from '../../src/paths.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let candidateId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  ({ id: candidateId } = await upsertCandidate(db.sql, { email: 'tl@example.com' }, 'api'));
});
afterAll(async () => {
  await db?.drop();
});

const at = (step: string, iteration = 0) => ({
  workflowId: 'candidate/x',
  journeyId: 'j1',
  candidateId,
  step,
  iteration,
});

const kinds = async () =>
  (
    await db.sql<{ kind: string }[]>`
      select kind from interactions where candidate_id = ${candidateId} order by id`
  ).map((r) => r.kind);

describe('the timeline', () => {
  it('writes each entry once per key, for every kind', async () => {
    const entries: NewTimelineEntry[] = [
      { kind: 'erased', candidateId },
      { kind: 'merged', candidateId, merged: '00000000-0000-4000-8000-000000000001' },
      {
        kind: 'journey.started',
        candidateId,
        jobId: null,
        journeyId: 'j1',
        playbook: 'p',
        version: 1,
        status: 'running',
        reason: null,
      },
      { kind: 'decision', what: 'branch', at: at('choose'), data: { taken: 'then', if: 'x', value: 1 } },
      { kind: 'candidate.updated', at: at('tag'), data: { tags: { add: ['warm'] } } },
      { kind: 'webhook.called', at: at('ats'), summary: 'Called POST x → 200', status: 200, url: 'x' },
    ];
    for (const entry of entries) {
      expect(await recordTimeline(db.sql, entry)).toBeDefined();
      expect(await recordTimeline(db.sql, entry)).toBeUndefined();
    }
    expect(await kinds()).toEqual([
      'erased',
      'merged',
      'journey.started',
      'journey.branch',
      'candidate.updated',
      'webhook.called',
    ]);
  });

  it('keeps a step’s iterations, and different kinds at one step, apart', async () => {
    await db.sql`delete from interactions where candidate_id = ${candidateId}`;
    await recordTimeline(db.sql, { kind: 'candidate.updated', at: at('loop', 0), data: {} });
    await recordTimeline(db.sql, { kind: 'candidate.updated', at: at('loop', 1), data: {} });
    await recordTimeline(db.sql, { kind: 'decision', what: 'received', at: at('loop', 1), data: {} });
    expect(await kinds()).toEqual(['candidate.updated', 'candidate.updated', 'journey.received']);
  });

  it('writes every note, each being its own', async () => {
    await db.sql`delete from interactions where candidate_id = ${candidateId}`;
    const note = { kind: 'note', candidateId, text: 'Called her', author: 'sam' } as const;
    expect(await recordTimeline(db.sql, note)).toBeDefined();
    expect(await recordTimeline(db.sql, note)).toBeDefined();
    expect(await kinds()).toEqual(['note', 'note']);
  });
});

describe('the migration to keyed entries', () => {
  const name = `rapport_test_keys_${process.pid}`;
  const admin = () => createSql(inject('postgresAdminUrl'), { max: 1 });
  afterAll(async () => {
    const sql = admin();
    await sql`drop database if exists ${sql(name)} with (force)`;
    await sql.end();
  });

  it('gives earlier entries the key they would have had, and earlier duplicates keys of their own', async () => {
    const server = admin();
    await server`create database ${server(name)}`;
    await server.end();
    const sql = createSql(inject('postgresAdminUrl').replace(/\/[^/]*$/, `/${name}`), { max: 1 });
    try {
      // The migrations before keys existed, then entries as the earlier writers left them.
      const before = await fs.mkdtemp(path.join(os.tmpdir(), 'rapport-migrations-'));
      const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'));
      for (const f of files.filter((f) => f < '0010'))
        await fs.copyFile(path.join(MIGRATIONS_DIR, f), path.join(before, f));
      await migrate(sql, before);
      const { id } = await upsertCandidate(sql, { email: 'old@example.com' }, 'api');
      const effect = { effect: 'candidate/x/j1/tag/0' };
      await sql`
        insert into interactions (candidate_id, kind, summary, journey_id, data) values
          (${id}, 'journey.started', 'Enrolled', 'j1', '{}'),
          (${id}, 'journey.started', 'Enrolled', 'j1', '{}'),
          (${id}, 'candidate.updated', 'Updated', 'j1', ${sql.json(effect)}),
          (${id}, 'note', 'Called her', null, '{}')`;
      expect((await migrate(sql))[0]).toMatch(/^0010_/);
      const keys = (await sql<{ dedup_key: string }[]>`select dedup_key from interactions order by id`).map(
        (r) => r.dedup_key,
      );
      expect(keys[0]).toBe('journey.started:j1');
      expect(keys[1]).toMatch(/^entry:\d+$/);
      expect(keys[2]).toBe('step:candidate.updated:candidate/x/j1/tag/0');
      expect(keys[3]).toMatch(/^entry:\d+$/);
      // What the writer does now finds the earlier entries' keys.
      expect(
        await recordTimeline(sql, {
          kind: 'candidate.updated',
          at: { workflowId: 'candidate/x', journeyId: 'j1', candidateId: id, step: 'tag', iteration: 0 },
          data: {},
        }),
      ).toBeUndefined();
    } finally {
      await sql.end();
    }
  });
});
