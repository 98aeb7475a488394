// Recruiting events on the real stack (Temporal, PostgreSQL, SMTP) with the shipped playbooks: a campaign
// invites 32 candidates to an event with 20 seats; 30 answer "yes" through the RSVP links of their
// invitations (20 seats, 10 on the waitlist, in the order they answered); a seat given up goes to the
// first waiting; 15 are checked in (by API and by CSV); closing the event records `event.attended` /
// `event.no_show`, and the shipped follow-ups (thanks, "sorry we missed you") go out in each
// candidate's morning, in their own time zone. A tampered link is 404 and records nothing; a hire later
// is credited to the event.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { jsonCaller, type JsonCall } from '../helpers/api.js';
import { eventually, startStack, type Stack } from '../helpers/stack.js';
import type { EventView } from '../../src/recruiting-events/recruiting-events.js';
import type { CampaignNumbers } from '../../src/db/campaigns.js';
import {
  answerRsvp,
  checkIn,
  claimRsvpRecording,
  getRecruitingEvent,
} from '../../src/db/recruiting-events.js';
import { mergeCandidates } from '../../src/db/candidate-merge.js';
import { sweepRecruitingEvents } from '../../src/recruiting-events/event-sweep.js';
import { respond } from '../../src/recruiting-events/recruiting-events.js';
import { createLogger } from '../../src/log.js';
import { createApiKey } from '../../src/db/api-keys.js';
import { postSignIn } from '../helpers/console.js';

let stack: Stack;
let call: JsonCall;
const silent = createLogger('silent');
beforeAll(async () => {
  stack = await startStack();
  call = jsonCaller(stack.app);
});
afterAll(async () => {
  await stack?.stop();
});

interface Problem {
  status: number;
  errors?: { pointer: string; detail: string }[];
}

/** Real time zones, one an hour around the world. */
const ZONES = [
  'Pacific/Pago_Pago',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Halifax',
  'America/Sao_Paulo',
  'America/Noronha',
  'Atlantic/Cape_Verde',
  'Europe/London',
  'Europe/Berlin',
  'Europe/Athens',
  'Europe/Moscow',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Dhaka',
  'Asia/Bangkok',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Brisbane',
  'Pacific/Noumea',
  'Pacific/Tarawa',
  'Pacific/Tongatapu',
  'Pacific/Kiritimati',
];
const localHour = (zone: string, at = DateTime.utc()) => {
  const local = at.setZone(zone);
  return local.hour + local.minute / 60;
};
/** Zones where the invitation goes now (its window is 09:00–19:00), with a margin for the test's time. */
const zonesNow = ZONES.filter((z) => localHour(z) >= 9.25 && localHour(z) < 18.5);

/** The path of a mail's RSVP link for this answer (its token says which answer it gives). */
function rsvp(mail: { text: string }, answer: 'Yes' | 'No' | 'Maybe'): string | undefined {
  for (const [, path, payload] of mail.text.matchAll(
    /http:\/\/rapport\.test(\/t\/([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+)/g,
  )) {
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { k: string; a?: string };
    if (claims.k === 'v' && claims.a === answer.toLowerCase()) return path;
  }
  return undefined;
}

const post = (path: string) => stack.rawApp.request(path, { method: 'POST' });

describe('a recruiting event with 20 seats', () => {
  const emails = Array.from({ length: 32 }, (_, i) => `guest${i}@example.com`);
  const ids: string[] = [];
  const invitation = new Map<string, { text: string }>();
  let event: EventView;
  let campaignId: string;

  it('refuses bad input with the field named, and creates nothing', async () => {
    const badZone = await call<Problem>('POST', '/v1/recruiting-events', {
      name: 'bad-zone',
      title: 'Bad zone',
      starts_at: '2027-01-01T18:00:00Z',
      timezone: 'Europe/Atlantis',
      location: 'Somewhere',
    });
    expect(badZone.status).toBe(422);
    expect(badZone.headers.get('content-type')).toContain('application/problem+json');
    expect(badZone.body.errors?.[0]?.pointer).toBe('/timezone');
    const noPlace = await call<Problem>('POST', '/v1/recruiting-events', {
      name: 'no-place',
      title: 'Nowhere',
      starts_at: '2027-01-01T18:00:00Z',
      timezone: 'Europe/Berlin',
      capacity: 0,
    });
    expect(noPlace.status).toBe(422);
    expect(noPlace.body.errors?.map((e) => e.pointer)).toContain('/capacity');
    const backwards = await call<Problem>('POST', '/v1/recruiting-events', {
      name: 'backwards',
      title: 'Backwards',
      starts_at: '2027-01-01T18:00:00Z',
      ends_at: '2027-01-01T17:00:00Z',
      timezone: 'Europe/Berlin',
      url: 'https://meet.example/backwards',
    });
    expect(backwards.body.errors?.[0]?.pointer).toBe('/ends_at');
    // An event that ends when it starts fits the schema, but is no event: 422 naming /ends_at too.
    const instant = await call<Problem>('POST', '/v1/recruiting-events', {
      name: 'instant',
      title: 'Instant',
      starts_at: '2027-01-01T18:00:00Z',
      ends_at: '2027-01-01T19:00:00+01:00',
      timezone: 'Europe/Berlin',
      url: 'https://meet.example/instant',
    });
    expect(instant.status).toBe(422);
    expect(instant.body.errors?.map((e) => e.pointer)).toEqual(['/ends_at']);
    const [{ n }] = (await stack.db.sql`select count(*)::int as n from recruiting_events`) as unknown as [
      { n: number },
    ];
    expect(n).toBe(0);
  });

  it('invites a pool by campaign; each invitation carries signed RSVP links', async () => {
    expect(zonesNow.length).toBeGreaterThanOrEqual(6);
    for (const [i, email] of emails.entries()) {
      const res = await call<{ id: string }>('POST', '/v1/candidates', {
        email,
        first_name: `Guest${i}`,
        timezone: zonesNow[i % zonesNow.length],
        consent: { email: true },
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const starts = DateTime.utc().plus({ days: 3 }).startOf('hour');
    const created = await call<EventView>('POST', '/v1/recruiting-events', {
      name: 'backend-meetup',
      title: 'Backend meetup',
      starts_at: starts.toISO(),
      timezone: 'Europe/Berlin',
      location: 'Acme office, Berlin',
      capacity: 20,
    });
    expect(created.status).toBe(201);
    event = created.body;
    expect(event).toMatchObject({ capacity: 20, status: 'scheduled', kind: 'meetup' });
    expect(event.ends_at).toBe(starts.plus({ hours: 2 }).toISO({ suppressMilliseconds: false }));
    const taken = await call<Problem>('POST', '/v1/recruiting-events', {
      name: 'backend-meetup',
      title: 'Another',
      starts_at: starts.toISO(),
      timezone: 'Europe/Berlin',
      url: 'https://meet.example/another',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.errors?.[0]?.pointer).toBe('/name');

    expect((await call('POST', '/v1/pools', { name: 'meetup-guests' })).status).toBe(201);
    expect((await call('POST', '/v1/pools/meetup-guests/members', { emails })).status).toBe(200);
    const unknownEvent = await call<Problem>('POST', '/v1/campaigns', {
      name: 'Invitations',
      playbook: 'attract-event-invitation',
      pool: 'meetup-guests',
      recruiting_event: 'no-such-event',
    });
    expect(unknownEvent.status).toBe(404);
    expect(unknownEvent.body.errors).toEqual([
      { pointer: '/recruiting_event', detail: expect.stringContaining('no-such-event') },
    ]);
    const launched = await call<{ id: string; recruiting_event_id: string }>('POST', '/v1/campaigns', {
      name: 'Backend meetup invitations',
      playbook: 'attract-event-invitation',
      pool: 'meetup-guests',
      recruiting_event: 'backend-meetup',
    });
    expect(launched.status).toBe(201);
    expect(launched.body.recruiting_event_id).toBe(event.id);
    campaignId = launched.body.id;

    for (const email of emails) {
      const mail = await stack.smtp.waitFor(
        (m) => m.to.includes(email) && m.subject === 'You are invited: Backend meetup',
        60_000,
      );
      invitation.set(email, mail);
      expect(mail.text).toContain('Acme office, Berlin');
      expect(rsvp(mail, 'Yes')).toBeDefined();
      expect(rsvp(mail, 'No')).toBeDefined();
      expect(rsvp(mail, 'Maybe')).toBeDefined();
    }
  });

  it('a tampered RSVP link is not recognised and records nothing', async () => {
    const link = rsvp(invitation.get(emails[0]!)!, 'Yes')!;
    const [payload, signature] = link.slice(3).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { a: string };
    const forged = Buffer.from(JSON.stringify({ ...claims, a: 'no' })).toString('base64url');
    for (const tampered of [`/t/${forged}.${signature}`, `${link.slice(0, -2)}xx`]) {
      expect((await stack.rawApp.request(tampered)).status).toBe(404);
      expect((await post(tampered)).status).toBe(404);
    }
    const [{ n }] = (await stack.db.sql`select count(*)::int as n from event_rsvps`) as unknown as [
      { n: number },
    ];
    expect(n).toBe(0);
  });

  it('30 say yes: 20 seats, then 10 on the waitlist in the order they answered', async () => {
    const page = await stack.rawApp.request(rsvp(invitation.get(emails[0]!)!, 'Yes')!);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Will you join us Backend meetup?');
    expect(html).toContain('(Europe/Berlin)');
    for (const [i, email] of emails.slice(0, 30).entries()) {
      const res = await post(rsvp(invitation.get(email)!, 'Yes')!);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(i < 20 ? 'You have a seat' : 'you are on the waitlist');
    }
    // The same answer again is one answer, and one `candidate.rsvp`.
    await post(rsvp(invitation.get(emails[0]!)!, 'Yes')!);
    expect((await post(rsvp(invitation.get(emails[30]!)!, 'Maybe')!)).status).toBe(200);

    const events = await stack.db.sql<{ candidate_id: string; status: string }[]>`
      select candidate_id, data ->> 'status' as status from events where type = 'candidate.rsvp'
      order by received_at`;
    expect(events).toHaveLength(31);
    expect(events.filter((e) => e.status === 'going')).toHaveLength(20);
    expect(events.filter((e) => e.status === 'waitlisted').map((e) => e.candidate_id)).toEqual(
      ids.slice(20, 30),
    );
    const view = await call<EventView>('GET', '/v1/recruiting-events/backend-meetup');
    expect(view.body.numbers).toMatchObject({
      invited: 32,
      rsvps: { yes: 30, no: 0, maybe: 1 },
      going: 20,
      waitlisted: 10,
      seats_left: 0,
    });
    // Each answer's playbook: the seat confirmed and a reminder due the day before, the waitlist told.
    const reminder = await eventually(async () => {
      const [journey] = await stack.db.sql<{ waiting_for: string; next_action_at: Date }[]>`
        select waiting_for, next_action_at from journeys
        where candidate_id = ${ids[0]!} and playbook = 'attract-event-rsvp' and waiting_for = 'wait'`;
      return journey;
    });
    expect(reminder.next_action_at.toISOString()).toBe(
      DateTime.fromISO(event.starts_at).minus({ days: 1 }).toUTC().toISO(),
    );
    await stack.smtp.waitFor((m) => m.to.includes(emails[19]!) && m.subject === 'You are in: Backend meetup');
    await stack.smtp.waitFor(
      (m) => m.to.includes(emails[29]!) && m.subject === 'You are on the waitlist: Backend meetup',
    );
  });

  it('a seat given up goes to the first on the waitlist', async () => {
    const confirmation = await stack.smtp.waitFor(
      (m) => m.to.includes(emails[5]!) && m.subject === 'You are in: Backend meetup',
    );
    // The confirmation's own link frees the seat.
    const res = await post(rsvp(confirmation, 'No')!);
    expect(await res.text()).toContain('Thanks for letting us know');
    const promoted = await stack.smtp.waitFor(
      (m) => m.to.includes(emails[20]!) && m.subject === 'A seat opened up: Backend meetup',
    );
    expect(promoted.text).toContain('a seat opened up, and it is yours');
    const rsvps = await call<{ items: { email: string; status: string }[] }>(
      'GET',
      '/v1/recruiting-events/backend-meetup/rsvps',
    );
    const waiting = rsvps.body.items.filter((r) => r.status === 'waitlisted').map((r) => r.email);
    expect(waiting).toEqual(emails.slice(21, 30));
    // The candidate who gave up the seat has no reminder waiting any more.
    await eventually(async () => {
      const [journey] = await stack.db.sql<{ status: string }[]>`
        select status from journeys where candidate_id = ${ids[5]!} and playbook = 'attract-event-rsvp'
        order by started_at limit 1`;
      return journey?.status === 'exited' ? journey : undefined;
    });
  });

  it('checks 15 in by API and CSV; closing records attended and no-show once each', async () => {
    const going = ids.filter((_, i) => i !== 5).slice(0, 20); // 0–4, 6–20 (20 was promoted)
    expect(going).toContain(ids[20]);
    const byApi = await call<{ checked_in: number; walk_ins: number }>(
      'POST',
      '/v1/recruiting-events/backend-meetup/check-ins',
      { candidate_ids: going.slice(0, 10) },
    );
    expect(byApi.body).toMatchObject({ checked_in: 10, walk_ins: 0 });
    const csv = ['email', ...going.slice(10, 15).map((id) => emails[ids.indexOf(id)]), 'nobody@example.com'];
    const byCsv = await call<{ checked_in: number; unknown: string[] }>(
      'POST',
      '/v1/recruiting-events/backend-meetup/check-ins/import',
      csv.join('\n'),
      'text/csv',
    );
    expect(byCsv.body).toMatchObject({ checked_in: 5, unknown: ['line 7'] });

    const closed = await call<EventView>('POST', '/v1/recruiting-events/backend-meetup/close');
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect(closed.body.numbers).toMatchObject({ checked_in: 15, attended: 15, no_show: 5, going: 20 });
    expect((await call('POST', '/v1/recruiting-events/backend-meetup/close')).status).toBe(200);
    const outcomes = await stack.db.sql<{ type: string; n: number }[]>`
      select type, count(*)::int as n from events where type in ('event.attended', 'event.no_show')
      group by type order by type`;
    expect(outcomes).toEqual([
      { type: 'event.attended', n: 15 },
      { type: 'event.no_show', n: 5 },
    ]);
    const late = await call<Problem>('POST', '/v1/recruiting-events/backend-meetup/check-ins', {
      candidate_ids: [going[15]!],
    });
    expect(late.status).toBe(409);
    const closedLink = await post(rsvp(invitation.get(emails[31]!)!, 'Yes')!);
    expect(await closedLink.text()).toContain('Answers are closed');

    // The follow-ups: each in the candidate's morning (09:00–12:00) in their own time zone, now or at
    // the next 09:00 there.
    const followUps = await eventually(async () => {
      const rows = await stack.db.sql<
        {
          candidate_id: string;
          timezone: string;
          status: string;
          waiting_for: string | null;
          next_action_at: Date | null;
          template: string | null;
          sent_at: Date | null;
        }[]
      >`
        select j.candidate_id, c.timezone, j.status, j.waiting_for, j.next_action_at, m.template, m.sent_at
        from journeys j join candidates c on c.id = j.candidate_id
        left join messages m on m.journey_id = j.id
        where j.playbook = 'attract-event-follow-up'`;
      const settled = rows.filter((r) => r.sent_at || r.waiting_for === 'window');
      return rows.length === 20 && settled.length === 20 ? rows : undefined;
    }, 60_000);
    const attended = new Set(going.slice(0, 15));
    let sentNow = 0;
    for (const f of followUps) {
      const at = DateTime.fromJSDate(f.sent_at ?? f.next_action_at!).setZone(f.timezone);
      if (f.sent_at) {
        sentNow += 1;
        expect(at.hour + at.minute / 60).toBeGreaterThanOrEqual(9);
        expect(at.hour + at.minute / 60).toBeLessThan(12.1);
        expect(f.template).toBe(attended.has(f.candidate_id) ? 'event-thanks' : 'event-missed-you');
      } else {
        expect(at.toFormat('HH:mm')).toBe('09:00');
        expect(at > DateTime.utc()).toBe(true);
      }
    }
    // The zones span the day: some mornings are now, some are still to come.
    const morningNow = followUps.filter((f) => {
      const hour = localHour(f.timezone);
      return hour >= 9.1 && hour < 11.9;
    }).length;
    const laterToday = followUps.filter((f) => {
      const hour = localHour(f.timezone);
      return hour >= 12.1 || hour < 8.9;
    }).length;
    expect(sentNow).toBeGreaterThanOrEqual(morningNow);
    expect(sentNow).toBeLessThanOrEqual(20 - laterToday);
    expect(sentNow).toBeGreaterThan(0);
    expect(sentNow).toBeLessThan(20);
    const mails = stack.smtp.received.filter((m) =>
      ['Thanks for coming', 'Sorry we missed you'].some((s) => m.subject.startsWith(s)),
    );
    expect(mails).toHaveLength(sentNow);
  });

  it('a hire later is credited to the event, and the campaign counts its answers', async () => {
    expect(
      (
        await call('POST', '/v1/events', {
          type: 'candidate.hired',
          candidate: { email: emails[0] },
        })
      ).status,
    ).toBe(202);
    const view = await eventually(async () => {
      const res = await call<EventView>('GET', `/v1/recruiting-events/${event.id}`);
      return res.body.numbers.hired === 1 ? res.body : undefined;
    });
    const late = await call<Problem>('POST', '/v1/campaigns', {
      name: 'Too late',
      playbook: 'attract-event-invitation',
      pool: 'meetup-guests',
      recruiting_event: 'backend-meetup',
    });
    expect(late.status).toBe(422);
    expect(late.body.errors?.[0]?.pointer).toBe('/recruiting_event');
    expect(view.numbers).toMatchObject({
      campaigns: 1,
      invited: 32,
      rsvps: { yes: 29, no: 1, maybe: 1 },
      attended: 15,
      no_show: 5,
      hired: 1,
    });
    const rsvps = await call<{ items: { email: string; hired_at: string | null }[] }>(
      'GET',
      `/v1/recruiting-events/${event.id}/rsvps`,
    );
    expect(rsvps.body.items.filter((r) => r.hired_at).map((r) => r.email)).toEqual([emails[0]]);
    const campaign = await call<{ numbers: CampaignNumbers }>('GET', `/v1/campaigns/${campaignId}`);
    expect(campaign.body.numbers).toMatchObject({
      enrolled: 32,
      converted: 31, // the invitation's goal: an answer
      recruiting_event: { rsvps: { yes: 29, no: 1, maybe: 1 }, attended: 15, no_show: 5, hired: 1 },
    });
    // Erasure forgets which events a candidate answered and came to.
    expect((await call('DELETE', `/v1/candidates/${ids[1]}`)).status).toBe(204);
    const after = await call<EventView>('GET', `/v1/recruiting-events/${event.id}`);
    expect(after.body.numbers).toMatchObject({ rsvps: { yes: 28 }, attended: 14 });
  });
});

describe('answers at the same time', () => {
  it('never give more seats than there are, and the waitlist keeps its order', async () => {
    const [meetup] = await stack.db.sql<{ id: string }[]>`
      insert into recruiting_events (name, title, kind, starts_at, ends_at, timezone, url, capacity)
      values ('rush', 'Rush', 'webinar', now() + interval '1 day', now() + interval '1 day 1 hour', 'UTC',
        'https://meet.example/rush', 5)
      returning id`;
    const rows = await stack.db.sql<{ id: string }[]>`
      insert into candidates (email, first_name, consent_email)
      select 'rush' || i || '@example.com', 'Rush' || i, true from generate_series(1, 40) i
      returning id`;
    const answers = await Promise.all(
      rows.map((r) => answerRsvp(stack.db.sql, { eventId: meetup!.id, candidateId: r.id, answer: 'yes' })),
    );
    expect(answers.filter((a) => a?.rsvp.status === 'going')).toHaveLength(5);
    // Everyone going gives up their seat at once: the first five waiting take them, in order.
    const going = answers.filter((a) => a?.rsvp.status === 'going').map((a) => a!.rsvp.candidate_id);
    const waiting = await stack.db.sql<{ candidate_id: string }[]>`
      select candidate_id from event_rsvps where event_id = ${meetup!.id} and status = 'waitlisted'
      order by wanted_at, candidate_id`;
    await Promise.all(
      going.map((id) => answerRsvp(stack.db.sql, { eventId: meetup!.id, candidateId: id, answer: 'no' })),
    );
    const now = await stack.db.sql<{ candidate_id: string; version: number }[]>`
      select candidate_id, version from event_rsvps where event_id = ${meetup!.id} and status = 'going'`;
    expect(new Set(now.map((r) => r.candidate_id))).toEqual(
      new Set(waiting.slice(0, 5).map((w) => w.candidate_id)),
    );
    expect(now.every((r) => r.version === 2)).toBe(true);
  });
});

describe('the guest list', () => {
  interface Guest {
    candidate_id: string;
    email: string;
    status: string;
  }
  interface GuestPage {
    items: Guest[];
    next_cursor: string | null;
  }

  it('pages like every list: more guests than the limit give a first page and working next pages, in its order', async () => {
    const [meetup] = await stack.db.sql<{ id: string }[]>`
      insert into recruiting_events (name, title, kind, starts_at, ends_at, timezone, url, capacity)
      values ('paged-guests', 'Paged guests', 'webinar', now() + interval '1 day',
        now() + interval '1 day 1 hour', 'UTC', 'https://meet.example/paged', 2)
      returning id`;
    const people = await stack.db.sql<{ id: string; email: string }[]>`
      insert into candidates (email, first_name, consent_email)
      select 'paged' || i || '@example.com', 'Paged' || i, true from generate_series(0, 207) i
      order by i
      returning id, email`;
    // Two take the seats, three wait in the order they answered, one says maybe.
    for (const person of people.slice(0, 5))
      await answerRsvp(stack.db.sql, { eventId: meetup!.id, candidateId: person.id, answer: 'yes' });
    await answerRsvp(stack.db.sql, { eventId: meetup!.id, candidateId: people[5]!.id, answer: 'maybe' });
    // 201 decline at one instant (one statement): only the candidate tells their places apart.
    const declining = people.slice(6, 207).map((p) => p.id);
    await stack.db.sql`
      insert into event_rsvps (event_id, candidate_id, answer, status)
      select ${meetup!.id}, unnest(${declining}::uuid[]), 'no', 'declined'`;
    await checkIn(stack.db.sql, meetup!.id, { candidateIds: [people[207]!.id] });

    const pageOf = async (query: string) => {
      const res = await call<GuestPage>('GET', `/v1/recruiting-events/paged-guests/rsvps${query}`);
      expect(res.status).toBe(200);
      return res.body;
    };
    const first = await pageOf('?limit=3');
    expect(first.items.map((g) => g.status)).toEqual(['going', 'going', 'walk_in']);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await pageOf(`?limit=3&cursor=${first.next_cursor!}`);
    expect(second.items.map((g) => g.email)).toEqual(people.slice(2, 5).map((p) => p.email));
    expect(second.items.every((g) => g.status === 'waitlisted')).toBe(true);

    // Every guest once, in the list's order, through pages that end with no next cursor.
    const seen: Guest[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: GuestPage = await pageOf(`?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(50);
      seen.push(...page.items);
      cursor = page.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(208);
    expect(new Set(seen.map((g) => g.candidate_id)).size).toBe(208);
    const declined = seen.filter((g) => g.status === 'declined').map((g) => g.candidate_id);
    expect(declined).toEqual([...declining].sort());
    expect(seen.map((g) => g.status).slice(0, 7)).toEqual([
      'going',
      'going',
      'walk_in',
      'waitlisted',
      'waitlisted',
      'waitlisted',
      'maybe',
    ]);
    // Without a limit, a page is 50; a cursor that is not one is 422 naming it.
    expect((await pageOf('')).items).toHaveLength(50);
    const bad = await call<Problem>('GET', '/v1/recruiting-events/paged-guests/rsvps?cursor=1700000000000.x');
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.[0]?.pointer).toBe('?cursor');

    // The console shows the guests a page at a time, with the way to the next ones and back.
    const { key } = await createApiKey(stack.db.sql, { name: 'door', scopes: ['*'] });
    const signedIn = await postSignIn(stack.rawApp, key, '/');
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const consolePage = async (path: string) => {
      const res = await stack.rawApp.request(path, { headers: { cookie } });
      expect(res.status).toBe(200);
      return res.text();
    };
    const rowsOf = (html: string) => html.match(/<a href="\/candidates\/[0-9a-f-]{36}"/g)?.length ?? 0;
    const top = await consolePage(`/events/${meetup!.id}`);
    expect(rowsOf(top)).toBe(200);
    const next = /href="(\/events\/[0-9a-f-]{36}\?cursor=[^"#]+)#guests">Next guests/.exec(top)?.[1];
    expect(next).toBeDefined();
    const rest = await consolePage(next!.replace(/&amp;/g, '&'));
    expect(rowsOf(rest)).toBe(8);
    expect(rest).toContain('First guests');
    expect(rest).not.toContain('Next guests');
  });
});

describe('rapport recruiting-events', () => {
  it('creates an event, checks the door list in from a CSV, and closes it', async () => {
    const env = cleanEnv({
      DATABASE_URL: stack.db.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      RAPPORT_TASK_QUEUE: stack.taskQueue,
      LOG_LEVEL: 'warn',
    });
    const bad = await runCli(
      [
        'recruiting-events',
        'create',
        '--name',
        'cli-fair',
        '--title',
        'Fair',
        '--starts',
        '2027-03-01T09:00:00Z',
      ],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.output).toContain('usage:');
    const create = (timezone: string) =>
      runCli(
        [
          ...['recruiting-events', 'create', '--name', 'cli-fair', '--title', 'Career fair'],
          ...['--kind', 'career_fair', '--starts', '2027-03-01T09:00:00Z', '--timezone', timezone],
          ...['--location', 'Hall 4', '--capacity', '50'],
        ],
        env,
      );
    const zone = await create('Mars/Olympus');
    expect(zone.code).toBe(1);
    expect(zone.output).toContain('--timezone is not a time zone');
    const created = await create('Europe/Paris');
    expect(created.code, created.output).toBe(0);
    expect(created.output).toContain('created recruiting event cli-fair');

    const [walkIn] = await stack.db.sql<{ id: string }[]>`
      insert into candidates (email, first_name, consent_email, timezone)
      values ('walk-in@example.com', 'Walk', true, 'Europe/Paris') returning id`;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'door-'));
    const csv = path.join(dir, 'door.csv');
    await writeFile(csv, 'Name,Email\nWalk,WALK-IN@example.com\nNobody,nobody@example.com\n');
    const checkedIn = await runCli(['recruiting-events', 'check-in', 'cli-fair', '--csv', csv], env);
    expect(checkedIn.code, checkedIn.output).toBe(0);
    expect(checkedIn.output).toContain('checked in 1 (1 walk-ins), 0 already');
    expect(checkedIn.output).toContain('names nobody: line 3');

    const closed = await runCli(['recruiting-events', 'close', 'cli-fair'], env);
    expect(closed.code, closed.output).toBe(0);
    expect(closed.output).toContain('checked in 1, attended 1, no-shows 0');
    await eventually(async () => {
      const [thanked] = await stack.db.sql`
        select 1 from journeys where candidate_id = ${walkIn!.id} and playbook = 'attract-event-follow-up'`;
      return thanked;
    });
    const listed = await runCli(['recruiting-events', 'list'], env);
    expect(listed.output).toMatch(/cli-fair\s+2027-03-01T09:00:00.000Z\s+closed/);
  });
});

describe('seats', () => {
  it('go to answers only: a walk-in waits like anyone, and the waitlist moves only into a free seat', async () => {
    const [meetup] = await stack.db.sql<{ id: string }[]>`
      insert into recruiting_events (name, title, kind, starts_at, ends_at, timezone, url, capacity)
      values ('one-seat', 'One seat', 'webinar', now() + interval '1 day', now() + interval '1 day 1 hour',
        'UTC', 'https://meet.example/one', 1)
      returning id`;
    const [a, b, w, dup, kept] = await stack.db.sql<{ id: string }[]>`
      insert into candidates (email, first_name, consent_email)
      select 'seat' || i || '@example.com', 'Seat' || i, true from generate_series(1, 5) i
      returning id`;
    const answer = (who: { id: string }, what: 'yes' | 'no') =>
      answerRsvp(stack.db.sql, { eventId: meetup!.id, candidateId: who.id, answer: what });
    expect((await answer(a!, 'yes'))?.rsvp.status).toBe('going');
    expect((await answer(b!, 'yes'))?.rsvp.status).toBe('waitlisted');
    await checkIn(stack.db.sql, meetup!.id, { candidateIds: [w!.id] });
    expect((await answer(w!, 'yes'))?.rsvp.status).toBe('waitlisted');
    // The walk-in leaves the waitlist: no seat is free, nobody moves.
    expect((await answer(w!, 'no'))?.promoted).toBeUndefined();
    const given = await answer(a!, 'no');
    expect(given?.promoted?.candidate_id).toBe(b!.id);
    const [{ going }] = (await stack.db.sql`
      select count(*)::int as going from event_rsvps where event_id = ${meetup!.id} and status = 'going'`) as unknown as [
      { going: number },
    ];
    expect(going).toBe(1);

    // Only the latest change of an answer is recorded.
    const [row] = await stack.db.sql<{ version: number }[]>`
      select version from event_rsvps where event_id = ${meetup!.id} and candidate_id = ${b!.id}`;
    const ofB = { event_id: meetup!.id, candidate_id: b!.id };
    expect(await claimRsvpRecording(stack.db.sql, { ...ofB, version: row!.version - 1 })).toBe(false);
    expect(await claimRsvpRecording(stack.db.sql, { ...ofB, version: row!.version })).toBe(true);
    expect(await claimRsvpRecording(stack.db.sql, { ...ofB, version: row!.version })).toBe(false);

    // A duplicate record merged into another brings its answer along.
    expect((await answer(dup!, 'yes'))?.rsvp.status).toBe('waitlisted');
    await stack.db.sql.begin((tx) => mergeCandidates(tx, kept!.id, dup!.id));
    const [moved] = await stack.db.sql<{ status: string }[]>`
      select status from event_rsvps where event_id = ${meetup!.id} and candidate_id = ${kept!.id}`;
    expect(moved?.status).toBe('waitlisted');
  });
});

describe('two events at once', () => {
  it('keep one journey each: a no to one cancels its reminder only', async () => {
    const deps = { sql: stack.db.sql, temporal: stack.client, log: silent, delivery: stack.delivery };
    const events = await Promise.all(
      ['twin-a', 'twin-b'].map(async (name, i) => {
        const res = await call<EventView>('POST', '/v1/recruiting-events', {
          name,
          title: name,
          starts_at: DateTime.utc()
            .plus({ days: 5 + i })
            .startOf('hour')
            .toISO(),
          timezone: 'UTC',
          url: `https://meet.example/${name}`,
        });
        return res.body;
      }),
    );
    const guest = await call<{ id: string }>('POST', '/v1/candidates', {
      email: 'twin@example.com',
      timezone: zonesNow[0], // the confirmation goes at once (in the candidate's 08:00–20:00)
      consent: { email: true },
    });
    const reminders = async () =>
      stack.db.sql<{ id: string }[]>`
        select id from journeys where candidate_id = ${guest.body.id} and playbook = 'attract-event-rsvp'
          and waiting_for = 'wait'`;
    const rows = await Promise.all(events.map(async (e) => (await getRecruitingEvent(stack.db.sql, e.id))!));
    for (const event of rows) await respond(deps, { event, candidateId: guest.body.id, answer: 'yes' });
    await eventually(async () => ((await reminders()).length === 2 ? true : undefined));
    await respond(deps, { event: rows[1]!, candidateId: guest.body.id, answer: 'no' });
    const left = await eventually(async () => {
      const rows = await reminders();
      return rows.length === 1 ? rows : undefined;
    });
    const [kept] = await stack.db.sql<{ data: { recruiting_event: { id: string } } }[]>`
      select e.data from journeys j join events e on j.id = 'attract-event-rsvp:' || e.id
      where j.id = ${left[0]!.id}`;
    expect(kept?.data.recruiting_event.id).toBe(events[0]!.id);
  });
});

describe('the recruiting-event sweep', () => {
  it('records what a crash left unrecorded, and closes an event a day after it ended', async () => {
    const deps = { sql: stack.db.sql, temporal: stack.client, log: silent, delivery: stack.delivery };
    const [meetup] = await stack.db.sql<{ id: string }[]>`
      insert into recruiting_events (name, title, kind, starts_at, ends_at, timezone, location, capacity)
      values ('swept', 'Swept', 'meetup', now() + interval '1 day', now() + interval '1 day 2 hours',
        'UTC', 'Somewhere', 10)
      returning id`;
    const rows = await stack.db.sql<{ id: string }[]>`
      insert into candidates (email, first_name, consent_email)
      select 'swept' || i || '@example.com', 'Swept' || i, true from generate_series(1, 2) i
      returning id`;
    // Two answers changed as by a process that died before recording their `candidate.rsvp`.
    for (const r of rows)
      await answerRsvp(stack.db.sql, { eventId: meetup!.id, candidateId: r.id, answer: 'yes' });
    await checkIn(stack.db.sql, meetup!.id, { candidateIds: [rows[0]!.id] });
    // The event took place three days ago.
    await stack.db.sql`
      update recruiting_events set starts_at = now() - interval '3 days',
        ends_at = now() - interval '3 days' + interval '2 hours'
      where id = ${meetup!.id}`;
    expect(
      await answerRsvp(stack.db.sql, { eventId: meetup!.id, candidateId: rows[1]!.id, answer: 'no' }),
    ).toBeUndefined();
    const typesOf = async () =>
      (
        await stack.db.sql<{ type: string }[]>`
          select type from events where candidate_id = any (${rows.map((r) => r.id)}::uuid[]) order by type`
      ).map((e) => e.type);
    expect(await typesOf()).toEqual([]);

    const later = new Date(Date.now() + 120_000);
    // (The concurrent answers above were never recorded either: the sweep records them too.)
    expect(await sweepRecruitingEvents(deps, later)).toMatchObject({ closed: 1 });
    expect(await typesOf()).toEqual(['candidate.rsvp', 'candidate.rsvp', 'event.attended', 'event.no_show']);
    // Again: nothing more.
    expect(await sweepRecruitingEvents(deps, later)).toEqual({ recorded: 0, closed: 0 });
    expect(await typesOf()).toHaveLength(4);
  });
});
