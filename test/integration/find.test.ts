// Rediscovery (the `find` step) against real PostgreSQL: matching, exclusions, ranking and the limit.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findCandidates, type FindQuery } from '../../src/db/find.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
const NOW = new Date('2030-06-01T12:00:00Z');
const DAY = 86_400_000;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
beforeEach(async () => {
  await db.sql`truncate candidates, journeys, messages, playbook_versions cascade`;
});

interface Seed {
  skills?: string[];
  location?: string | null;
  tags?: string[];
  stage?: string;
  consent?: boolean;
  unsubscribed?: boolean;
  seniority?: string;
  /** Days before NOW. */
  updatedDaysAgo?: number;
}

async function candidate(seed: Seed = {}): Promise<string> {
  const custom = seed.seniority ? { seniority: seed.seniority } : {};
  const [row] = await db.sql<{ id: string }[]>`
    insert into candidates (skills, location, tags, stage, consent_email, unsubscribed_at, custom, updated_at)
    values (${seed.skills ?? ['go']}, ${seed.location === undefined ? 'Berlin' : seed.location}, ${seed.tags ?? []},
      ${seed.stage ?? null}, ${seed.consent ?? true}, ${seed.unsubscribed ? NOW : null}, ${db.sql.json(custom)},
      ${new Date(NOW.getTime() - (seed.updatedDaysAgo ?? 10) * DAY)})
    returning id`;
  return row!.id;
}

async function message(candidateId: string, status: string, daysAgo: number, sentDaysAgo?: number) {
  await db.sql`
    insert into messages (idempotency_key, candidate_id, channel, template, status, created_at, sent_at)
    values (${`${candidateId}:${Math.random()}`}, ${candidateId}, 'email', 'hello', ${status},
      ${new Date(NOW.getTime() - daysAgo * DAY)},
      ${sentDaysAgo === undefined ? null : new Date(NOW.getTime() - sentDaysAgo * DAY)})`;
}

async function journey(candidateId: string, playbook: string, stage: string) {
  await db.sql`
    insert into playbook_versions (playbook, version, stage, content_hash, definition)
    values (${playbook}, 1, ${stage}, 'hash', '{}') on conflict do nothing`;
  await db.sql`
    insert into journeys (id, workflow_id, candidate_id, playbook, playbook_version, status, ended_at)
    values (${`${playbook}:${candidateId}`}, ${`candidate-${candidateId}`}, ${candidateId}, ${playbook}, 1,
      'completed', ${NOW})`;
}

const find = (query: Partial<FindQuery> & { match?: FindQuery['match'] }, excludeIds?: string[]) =>
  findCandidates(db.sql, { limit: 50, match: {}, ...query }, { now: NOW, excludeIds });

const sorted = (ids: string[]) => [...ids].sort();

describe('find: matching', () => {
  it('matches any skill, case-insensitively, from comma-joined rendered entries', async () => {
    const go = await candidate({ skills: ['Go', 'Docker'] });
    const kafka = await candidate({ skills: [' KAFKA '] });
    await candidate({ skills: ['java'] });
    await candidate({ skills: [] });
    const found = await find({ match: { skills: ['go,postgres, kafka', ''] } });
    expect(sorted(found)).toEqual(sorted([go, kafka]));
    expect(await find({ match: { skills: ['', ' , '] }, limit: 10 })).toHaveLength(4);
  });

  it('matches location as a substring either way, and remote candidates anywhere', async () => {
    const city = await candidate({ location: 'Berlin' });
    const cityCountry = await candidate({ location: 'Berlin, Germany' });
    const remote = await candidate({ location: 'Remote' });
    const remoteEu = await candidate({ location: 'remote (EU)' });
    await candidate({ location: 'Munich' });
    await candidate({ location: null });
    await candidate({ location: '' });
    expect(sorted(await find({ match: { location: 'berlin' } }))).toEqual(
      sorted([city, cityCountry, remote, remoteEu]),
    );
    expect(sorted(await find({ match: { location: 'Berlin, Germany' } }))).toEqual(
      sorted([city, cityCountry, remote, remoteEu]),
    );
    expect(await find({ match: { location: '  ' } })).toHaveLength(7);
  });

  it('requires every tag of match.tags', async () => {
    const both = await candidate({ tags: ['warm', 'silver-medalist'] });
    await candidate({ tags: ['warm'] });
    await candidate({ tags: ['silver-medalist'] });
    expect(await find({ match: { tags: ['warm', 'silver-medalist'] } })).toEqual([both]);
    expect(await find({ match: { tags: ['warm,silver-medalist'] } })).toEqual([both]);
  });

  it('matches seniority case-insensitively, keeping candidates without one but ranking them lower', async () => {
    const unknown = await candidate({ updatedDaysAgo: 1 });
    const senior = await candidate({ seniority: 'Senior', updatedDaysAgo: 5 });
    await candidate({ seniority: 'junior' });
    expect(await find({ match: { seniority: 'senior' } })).toEqual([senior, unknown]);
  });
});

describe('find: exclusions', () => {
  it('leaves out hired, unsubscribed, unconsented and excluded-tag candidates, and excluded ids', async () => {
    const ok = await candidate();
    const skipped = await candidate();
    await candidate({ stage: 'hired' });
    await candidate({ tags: ['hired'] });
    await candidate({ unsubscribed: true });
    await candidate({ consent: false });
    await candidate({ tags: ['do-not-contact'] });
    const found = await find({ exclude: { tags: ['do-not-contact'] } }, [skipped]);
    expect(found).toEqual([ok]);
  });

  it('leaves out candidates contacted within the window, not those contacted before it', async () => {
    const recent = await candidate();
    const sentRecently = await candidate();
    const longAgo = await candidate();
    const failedRecently = await candidate();
    const never = await candidate();
    await message(recent, 'recorded', 3, 3);
    await message(sentRecently, 'sent', 40, 5); // queued long ago, delivered within the window
    await message(longAgo, 'sent', 45, 45);
    await message(failedRecently, 'failed', 1);
    await message(failedRecently, 'suppressed', 1);
    const found = await find({ exclude: { contacted_within: '30d' } });
    expect(sorted(found)).toEqual(sorted([longAgo, failedRecently, never]));
    expect(sorted(await find({ exclude: { contacted_within: '1w' } }))).toEqual(sorted(found));
    expect(sorted(await find({ exclude: { contacted_within: '96h' } }))).toEqual(
      sorted([sentRecently, longAgo, failedRecently, never]),
    );
    expect(await find({})).toHaveLength(5);
  });

  it('refuses a contacted_within that is not a duration', async () => {
    await expect(find({ exclude: { contacted_within: 'a while' } })).rejects.toThrow(/not a duration/);
  });
});

describe('find: ranking', () => {
  it('ranks by the first preferred tag: silver-medalist, then nurtured (tag or nurture journey), then warm', async () => {
    const none = await candidate({ updatedDaysAgo: 0 });
    const warm = await candidate({ tags: ['warm'], updatedDaysAgo: 0 });
    const nurturedByJourney = await candidate({ updatedDaysAgo: 2 });
    const nurturedTag = await candidate({ tags: ['nurtured', 'warm'], updatedDaysAgo: 3 });
    const silver = await candidate({ tags: ['warm', 'silver-medalist'], updatedDaysAgo: 9 });
    const otherJourney = await candidate({ updatedDaysAgo: 1 });
    await journey(nurturedByJourney, 'nurture-monthly-digest', 'nurture');
    await journey(otherJourney, 'engage-not-selected', 'engage');
    const found = await find({ prefer: ['silver-medalist', 'nurtured', 'warm'] });
    expect(found).toEqual([silver, nurturedByJourney, nurturedTag, warm, none, otherJourney]);
  });

  it('breaks ties by matched skills, then recency, then id; and stops at the limit', async () => {
    const three = await candidate({ skills: ['go', 'postgres', 'kafka'], updatedDaysAgo: 30 });
    const twoOld = await candidate({ skills: ['GO', 'Postgres', 'go'], updatedDaysAgo: 20 });
    const twoNew = await candidate({ skills: ['go', 'kafka', 'rust'], updatedDaysAgo: 2 });
    const one = await candidate({ skills: ['kafka'], updatedDaysAgo: 0 });
    const sameA = await candidate({ skills: ['rust', 'go'], updatedDaysAgo: 40 });
    const sameB = await candidate({ skills: ['go'], updatedDaysAgo: 40 });
    const [first, second] = sorted([sameA, sameB]);
    const match = { skills: ['go,postgres,kafka'] };
    expect(await find({ match })).toEqual([three, twoNew, twoOld, one, first, second]);
    expect(await find({ match, limit: 2 })).toEqual([three, twoNew]);
    expect(await find({ match, limit: 0 })).toEqual([]);
  });
});
