// What the recruiting-event operations promise in their definitions, checked without a database: an
// event that ends when it starts is refused with a 422 the operation documents, naming /ends_at; the
// guest list pages like every list. test/integration/recruiting-events.test.ts drives them for real.
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../src/db/client.js';
import { RSVP_CURSOR_PATTERN } from '../../src/db/recruiting-events.js';
import { recruitingEventOperations } from '../../src/http/recruiting-events.js';
import { answersOf, openApiDocument } from '../../src/http/openapi.js';
import { Problem } from '../../src/http/problem.js';
import { createEvent } from '../../src/recruiting-events/recruiting-events.js';

const op = (method: string, path: string) =>
  recruitingEventOperations.find((o) => o.method === method && o.path === path)!;

/** Fails the test if the database is touched: what is refused stores nothing. */
const noDatabase = new Proxy(() => undefined, {
  apply: () => {
    throw new Error('the database was used');
  },
  get: () => {
    throw new Error('the database was used');
  },
}) as unknown as Sql;

describe('POST /v1/recruiting-events', () => {
  const meetup = {
    name: 'instant-meetup',
    title: 'A meetup of no length',
    starts_at: '2027-01-21T18:30:00+01:00',
    timezone: 'Europe/Berlin',
    location: 'Acme office',
  };

  it.each([
    ['the same instant', '2027-01-21T18:30:00+01:00'],
    ['the same instant written in another offset', '2027-01-21T17:30:00Z'],
    ['before the start', '2027-01-21T18:00:00+01:00'],
  ])('refuses an end at %s with 422 naming /ends_at, storing nothing', async (_name, endsAt) => {
    const refused = await createEvent(noDatabase, { ...meetup, ends_at: endsAt }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Problem);
    expect(refused).toMatchObject({
      status: 422,
      errors: [{ pointer: '/ends_at', message: expect.stringContaining('must be after starts_at') }],
    });
  });

  it('documents that 422 among its own answers, naming /ends_at and /timezone', () => {
    const create = op('post', '/v1/recruiting-events');
    expect(create.answers[422]?.description).toMatch(/`\/ends_at` is not after `starts_at`/);
    expect(create.answers[422]?.description).toContain('/timezone');
    expect(answersOf(create)[422]).toBe(create.answers[422]);
    const document = openApiDocument(recruitingEventOperations) as {
      paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    };
    expect(document.paths['/v1/recruiting-events']!.post!.responses['422']!.description).toContain(
      '/ends_at',
    );
  });
});

describe('GET /v1/recruiting-events/{id}/rsvps', () => {
  it('takes a limit and a cursor of the guest list’s own form, and answers next_cursor', () => {
    const rsvps = op('get', '/v1/recruiting-events/{id}/rsvps');
    expect(Object.keys(rsvps.query ?? {})).toEqual(['limit', 'cursor']);
    expect(rsvps.query!.cursor!.schema).toEqual({ type: 'string', pattern: RSVP_CURSOR_PATTERN });
    const cursor = new RegExp(RSVP_CURSOR_PATTERN);
    expect(cursor.test('2.1790000000123456.0d5e2b1c-8f0a-4c6e-9b1d-2a3f4e5d6c7b')).toBe(true);
    expect(cursor.test('1790000000123.0d5e2b1c-8f0a-4c6e-9b1d-2a3f4e5d6c7b')).toBe(false);
  });
});
