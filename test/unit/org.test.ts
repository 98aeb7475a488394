import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { orgScope, senderAddress, type OrgContent } from '../../src/interpreter/org.js';
import { loadOrg, validateOrg } from '../../src/playbook/org.js';
import { loadTemplates } from '../../src/templates/engine.js';

const PIPELINES = path.resolve(import.meta.dirname, '../../pipelines');
const engine = await loadTemplates(path.join(PIPELINES, 'templates'));

const org: OrgContent = {
  name: 'Acme',
  careers_url: 'https://careers.acme.example',
  senders: {
    events: { name: 'Acme Events', email: 'events@acme.example' },
    bare: { email: 'b@acme.example' },
  },
  news: [
    { kind: 'product', title: 'Routes in 40 cities', date: '2026-08-20' },
    { kind: 'hire', title: 'Priya joins', date: '2026-10-06', summary: 'She builds our platform.' },
    { kind: 'event', title: 'Berlin meetup', date: '2026-12-10', place: 'Torstraße 1' },
    { kind: 'event', title: 'Spring webinar', date: '2027-03-01', url: 'https://acme.example/w' },
    { kind: 'award', title: 'Best place to work', date: '2026-12-01' },
    { kind: 'team', title: 'A team in Lisbon', date: '2026-11-15' },
  ],
};

async function withOrgFile(text: string) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'org-'));
  await fs.writeFile(path.join(dir, 'org.yaml'), text);
  try {
    return await validateOrg(dir);
  } finally {
    await fs.rm(dir, { recursive: true });
  }
}

describe('org as templates see it', () => {
  it('tells the three latest past items and the events still to come, by date', () => {
    const scope = orgScope(org, '2026-12-04T10:00:00.000Z');
    expect((scope.latest_news as { title: string }[]).map((n) => n.title)).toEqual([
      'Best place to work',
      'A team in Lisbon',
      'Priya joins',
    ]);
    expect((scope.upcoming_events as { title: string }[]).map((n) => n.title)).toEqual([
      'Berlin meetup',
      'Spring webinar',
    ]);
  });

  it('keeps an event upcoming through its day, and news once it is over', () => {
    const onTheDay = orgScope(org, '2026-12-10T20:00:00.000Z');
    expect((onTheDay.upcoming_events as { title: string }[])[0]?.title).toBe('Berlin meetup');
    const after = orgScope(org, '2026-12-11T00:00:00.000Z');
    expect((after.upcoming_events as { title: string }[]).map((n) => n.title)).toEqual(['Spring webinar']);
    expect((after.latest_news as { title: string }[])[0]?.title).toBe('Berlin meetup');
  });

  it('turns a sender name into an address, and leaves an address as it is', () => {
    expect(senderAddress(org, 'events')).toBe('Acme Events <events@acme.example>');
    expect(senderAddress(org, 'bare')).toBe('b@acme.example');
    expect(senderAddress(org, 'Jo <jo@acme.example>')).toBe('Jo <jo@acme.example>');
  });

  it('fills the shipped nurture and attract templates with the news and the next events', () => {
    const scope = { candidate: { first_name: 'Ada' }, org: orgScope(org, '2026-12-04T10:00:00.000Z') };
    const update = engine.render('company-update', scope);
    expect(update.subject).toBe('News from Acme: Best place to work');
    expect(update.text).toContain('- Priya joins — She builds our platform.');
    expect(update.text).toContain('- Berlin meetup, Thursday 10 December 2026, Torstraße 1');
    expect(update.text).toContain('https://careers.acme.example');
    const welcome = engine.render('talent-community-welcome', scope);
    expect(welcome.text).toContain('The next chance to meet us: Berlin meetup, Thursday 10 December 2026');
    const story = engine.render('employer-story', scope);
    expect(story.text).toContain('Who joined us lately: Priya joins');
  });

  it('reads as before for an organisation without news', () => {
    const update = engine.render('company-update', {
      candidate: { first_name: 'Ada' },
      org: orgScope({ name: 'Acme' }, '2026-12-04T10:00:00.000Z'),
    });
    expect(update.subject).toBe('News from Acme');
    expect(update.text).toContain('new teams, new products, and the people who joined them');
    expect(update.text).not.toContain('Come and meet us');
  });
});

describe('org.yaml', () => {
  it('accepts the shipped file, and RAPPORT_ORG_NAME replaces its name', async () => {
    expect((await validateOrg(PIPELINES)).errors).toEqual([]);
    expect((await loadOrg(PIPELINES)).name).toBe('Acme');
    expect((await loadOrg(PIPELINES, 'Globex')).name).toBe('Globex');
  });

  it('is optional: without it the organisation is its name', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'org-'));
    expect(await loadOrg(dir)).toEqual({ name: 'Rapport' });
    expect(await loadOrg(dir, 'Globex')).toEqual({ name: 'Globex' });
    await fs.rm(dir, { recursive: true });
  });

  it('names each problem with its line and column', async () => {
    const { errors } = await withOrgFile(
      [
        'name: Acme',
        'senders:',
        '  events: { email: not-an-address }',
        'news:',
        '  - kind: party',
        '    title: Summer party',
        '    date: 2026-02-30',
      ].join('\n'),
    );
    const found = errors.map((e) => `${e.line}:${e.column} ${e.message}`);
    expect(found).toEqual([
      expect.stringMatching(/^3:20 .*email/),
      expect.stringMatching(/^5:11 .*(hire|event)/),
      expect.stringMatching(/^7:11 .*date/),
    ]);
  });
});
