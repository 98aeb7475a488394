import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePools } from '../../src/playbook/pools.js';
import { validatePipelines } from '../../src/playbook/load.js';
import { filterProblems } from '../../src/db/pool-filter.js';
import { csvRows } from '../../src/http/member-csv.js';
import { batchSize } from '../../workflows/campaign.js';
import { ledgerOf, startJourney, type ContactPolicy } from '../../src/interpreter/index.js';
import { ada, expressions, MONDAY_9AM, playbook } from '../helpers/simulation.js';

async function poolFiles(files: Record<string, string>) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pools-'));
  await fs.mkdir(path.join(dir, 'pools'));
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, 'pools', name), text);
  try {
    const { pools, errors } = await validatePools(dir, new Set(['nurture-news']));
    return { pools, errors: errors.map((e) => `${path.basename(e.file)}:${e.line}:${e.column} ${e.detail}`) };
  } finally {
    await fs.rm(dir, { recursive: true });
  }
}

describe('pool files (pipelines/pools/)', () => {
  it('accepts the shipped pools, checked with the pipelines', async () => {
    const { pools, errors } = await validatePipelines(path.resolve('pipelines'));
    expect(errors).toEqual([]);
    expect(pools.map((p) => p.name)).toContain('backend-berlin');
  });

  it('names each problem at its line and column', async () => {
    const { errors, pools } = await poolFiles({
      'berlin.yaml': [
        'name: berlin',
        'filter:',
        '  tags: { all: [backend] }',
        '  locaton: { any: [berlin] }',
        '  journeys:',
        '    never_in: [nurture-news, nurture-nws]',
        '  last_contacted: { before: 2026-02-30 }',
      ].join('\n'),
      'paris.yaml': 'name: lyon\n',
    });
    expect(pools).toEqual([]);
    expect(errors).toEqual([
      'berlin.yaml:7:29 is not in the expected form, e.g. "90d" or "2026-06-01"',
      expect.stringMatching(/^berlin\.yaml:4:12 "locaton" is not a known field/),
      expect.stringMatching(/^paris\.yaml:1:7 is "lyon" but the file is paris\.yaml: name it paris/),
    ]);
    const meaning = await poolFiles({
      'berlin.yaml': [
        'name: berlin',
        'filter:',
        '  journeys:',
        '    never_in: [nurture-news, nurture-nws]',
        '  last_contacted: { before: 2026-02-28 }',
      ].join('\n'),
    });
    expect(meaning.errors).toEqual([
      expect.stringMatching(/^berlin\.yaml:4:30 names no playbook: "nurture-nws"/),
    ]);
  });

  it('takes a static pool and a smart one', async () => {
    const { pools, errors } = await poolFiles({
      'vip.yaml': 'name: vip\ndescription: Hand-picked\n',
      'quiet.yaml': 'name: quiet\nfilter:\n  last_contacted: { before: 90d }\n',
    });
    expect(errors).toEqual([]);
    expect(pools).toEqual([
      { name: 'quiet', filter: { last_contacted: { before: '90d' } }, file: 'pools/quiet.yaml' },
      { name: 'vip', description: 'Hand-picked', file: 'pools/vip.yaml' },
    ]);
  });
});

describe('filter meaning', () => {
  it('names unknown playbooks and dates that do not exist, by pointer', () => {
    expect(
      filterProblems(
        { journeys: { in: ['a', 'b'] }, last_contacted: { after: '2026-04-31', before: '12w' } },
        (id) => id === 'a',
      ),
    ).toEqual({
      missing: [{ pointer: '/filter/journeys/in/1', message: expect.stringContaining('"b"') }],
      invalid: [{ pointer: '/filter/last_contacted/after', message: expect.stringContaining('2026-04-31') }],
    });
  });
});

describe('members CSV', () => {
  it('reads an email or id column whatever the header case, with the line of each row', () => {
    const text = '\uFEFFName,E-mail,EMAIL\n"Lovelace, Ada",x,ADA@example.com\n\nGrace,,\n';
    expect(csvRows(text)).toEqual([{ line: 2, email: 'ada@example.com' }, { line: 4 }]);
    expect(csvRows('id\n0b9ffdc9-7c94-4d0e-943c-6127e7d18132\nnot-an-id\n')).toEqual([
      { line: 2, id: '0b9ffdc9-7c94-4d0e-943c-6127e7d18132' },
      { line: 3 },
    ]);
  });

  it('reads an id or an email per line without a header, and keeps unreadable lines as naming nobody', () => {
    expect(csvRows('a@example.com\nAda\n0B9FFDC9-7C94-4D0E-943C-6127E7D18132\n')).toEqual([
      { line: 1, email: 'a@example.com' },
      { line: 2 },
      { line: 3, id: '0b9ffdc9-7c94-4d0e-943c-6127e7d18132' },
    ]);
    expect(csvRows('email\nok@example.com\n"unclosed\n')).toEqual([
      { line: 2, email: 'ok@example.com' },
      { line: 3 },
    ]);
  });
});

describe('campaign batches', () => {
  it('hold about two seconds of enrollments at a set rate, and 500 without one', () => {
    expect(batchSize(3000)).toBe(100);
    expect(batchSize(60)).toBe(2);
    expect(batchSize(1)).toBe(1);
    expect(batchSize(null)).toBe(500);
    expect(batchSize(60_000)).toBe(500);
  });
});

describe('a campaign journey', () => {
  const policy: ContactPolicy = {
    classes: [
      { class: 'engage', stages: ['engage'], exempt: true },
      { class: 'marketing', stages: ['attract'] },
    ],
    budget: { messages: 1, per: '7d' },
  };
  const sentAt = ['2026-01-04T09:00:00.000Z'];
  const context = {
    candidate: { ...ada },
    sentAt,
    expressions,
    policy,
    contacts: ledgerOf(policy, [], sentAt),
    channels: { note: 'email' as const },
  };
  const definition = playbook([{ id: 'hello', send: 'note' }], { stage: 'engage' });

  it('decides its first send in the contact class its campaign names', () => {
    const own = startJourney('j', definition, MONDAY_9AM, context);
    expect(own.commands.map((c) => c.type)).toContain('send');
    const campaign = startJourney('j', definition, MONDAY_9AM, context, {
      campaign: { id: 'c1', contactClass: 'marketing' },
    });
    expect(campaign.state).toMatchObject({ campaignId: 'c1', contactClass: 'marketing' });
    expect(campaign.commands.map((c) => c.type)).not.toContain('send');
    expect(campaign.state.held).toMatchObject({ rule: 'budget' });
  });
});
