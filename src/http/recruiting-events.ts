// Recruiting events: list, create, read with their numbers, the RSVPs, check-in (by id or email, or a CSV)
// and close (attendance decided: `event.attended` / `event.no_show` for playbooks to branch on).
// Candidates answer through the signed RSVP links of their invitations (src/http/tracking.ts).
import {
  getRecruitingEvent,
  listRecruitingEvents,
  listRsvps,
  RSVP_CURSOR_PATTERN,
  type RecruitingEventInput,
} from '../db/recruiting-events.js';
import {
  closeEvent,
  createEvent,
  eventNumbers,
  eventView,
  recordCheckIn,
  viewOf,
} from '../recruiting-events/recruiting-events.js';
import { csvCandidates } from './member-csv.js';
import { operation, PAGE_QUERY, type Parameter } from './operation.js';
import { paged, pageOf, type PageQuery } from './paging.js';
import { Problem } from './problem.js';

/** An event by name or id. */
const EVENT: Record<string, Parameter> = {
  id: {
    description: 'The event’s name or id',
    schema: {
      type: 'string',
      pattern: '^([a-z0-9]+(-[a-z0-9]+)*|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
      maxLength: 100,
    },
  },
};

/** `limit` and `cursor` of a guest list, which pages in its own order (going first, the waitlist in order). */
const RSVP_PAGE_QUERY: Record<string, Parameter> = {
  limit: PAGE_QUERY.limit!,
  cursor: {
    description: '`next_cursor` of the previous page',
    schema: { type: 'string', pattern: RSVP_CURSOR_PATTERN },
  },
};

const CHECK_IN_ANSWERS = {
  200: { description: 'Who was checked in', schema: 'check-in.schema.json' },
  404: { description: 'Unknown event' },
  409: { description: 'The event is closed: attendance was decided when it closed' },
};

export const recruitingEventOperations = [
  operation<PageQuery>({
    method: 'get',
    path: '/v1/recruiting-events',
    summary: 'Recruiting events, newest first, with their numbers',
    access: { scope: 'recruiting-events:read' },
    query: PAGE_QUERY,
    answers: {
      200: { description: '{ items, next_cursor }', schema: 'recruiting-event-page.schema.json' },
    },
    async handle(c, { query }, deps) {
      const page = pageOf(query);
      const { items, next_cursor } = paged(await listRecruitingEvents(deps.sql, page), page);
      const views = await Promise.all(
        items.map(async (row) => viewOf(row, await eventNumbers(deps.sql, row))),
      );
      return c.json({ items: views, next_cursor });
    },
  }),
  operation<object, RecruitingEventInput>({
    method: 'post',
    path: '/v1/recruiting-events',
    summary: 'Create a recruiting event (a meetup, a webinar, a career fair) with its capacity',
    description:
      'Besides its schema, an event must end after it starts (`ends_at` later than `starts_at`; without `ends_at` it lasts two hours) and take place in a time zone that exists: otherwise 422 naming `/ends_at` or `/timezone`. Nothing is stored.',
    access: { scope: 'recruiting-events:write' },
    body: { json: 'recruiting-event-input.schema.json' },
    answers: {
      201: {
        description: 'Created',
        schema: 'recruiting-event.schema.json',
        links: {
          read: { to: 'get /v1/recruiting-events/{id}', with: { id: '$response.body#/id' } },
          rsvps: { to: 'get /v1/recruiting-events/{id}/rsvps', with: { id: '$response.body#/id' } },
        },
      },
      409: { description: 'The name is taken' },
      422: {
        description:
          'A value is not acceptable, each field named: the body does not match its schema, `/ends_at` is not after `starts_at` (an end equal to the start included), or `/timezone` is no IANA time zone',
      },
    },
    async handle(c, { body }, deps) {
      return c.json(await createEvent(deps.sql, body), 201);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/recruiting-events/{id}',
    summary: 'A recruiting event with its numbers: invited, RSVPs, waitlist, attended, no-shows, hires',
    access: { scope: 'recruiting-events:read' },
    params: EVENT,
    answers: {
      200: { description: 'The event', schema: 'recruiting-event.schema.json' },
      404: { description: 'Unknown event' },
    },
    async handle(c, { params }, deps) {
      const view = await eventView(deps.sql, params.id!);
      if (!view) throw Problem.notFound(`Recruiting event ${params.id}`);
      return c.json(view);
    },
  }),
  operation<PageQuery>({
    method: 'get',
    path: '/v1/recruiting-events/{id}/rsvps',
    summary: 'Who answered or came: going, walk-ins, the waitlist in order, maybe, declined; paged',
    access: { scope: 'candidates:read' },
    params: EVENT,
    query: RSVP_PAGE_QUERY,
    answers: {
      200: { description: '{ items, next_cursor }', schema: 'rsvp-list.schema.json' },
      404: { description: 'Unknown event' },
    },
    async handle(c, { params, query }, deps) {
      const event = await getRecruitingEvent(deps.sql, params.id!);
      if (!event) throw Problem.notFound(`Recruiting event ${params.id}`);
      return c.json(await listRsvps(deps.sql, event.id, { limit: query.limit ?? 50, cursor: query.cursor }));
    },
  }),
  operation<object, { candidate_ids?: string[]; emails?: string[] }>({
    method: 'post',
    path: '/v1/recruiting-events/{id}/check-ins',
    summary: 'Check candidates in, by id or email (someone without a seat is a walk-in)',
    access: { scope: 'recruiting-events:write' },
    params: EVENT,
    body: { json: 'pool-members-input.schema.json' },
    answers: CHECK_IN_ANSWERS,
    async handle(c, { params, body }, deps) {
      return c.json(
        await recordCheckIn(deps.sql, params.id!, {
          ...(body.candidate_ids ? { candidateIds: body.candidate_ids } : {}),
          ...(body.emails ? { emails: body.emails } : {}),
        }),
      );
    },
  }),
  operation<object, string>({
    method: 'post',
    path: '/v1/recruiting-events/{id}/check-ins/import',
    summary: 'Check candidates in from CSV (an `email` or `id` column, or one per line): the door list',
    access: { scope: 'recruiting-events:write' },
    params: EVENT,
    body: {
      text: ['text/csv'],
      description:
        'CSV with a header row naming an `email` or an `id` column; without one, an id or an email per line',
    },
    answers: {
      ...CHECK_IN_ANSWERS,
      200: {
        description: 'Who was checked in; rows naming nobody are listed as `line N`',
        schema: 'check-in.schema.json',
      },
    },
    async handle(c, { params, body }, deps) {
      const { candidateIds, emails, unknownLines } = csvCandidates(body);
      const result = await recordCheckIn(deps.sql, params.id!, { candidateIds, emails });
      return c.json({ ...result, unknown: unknownLines(result.unknown) });
    },
  }),
  operation({
    method: 'post',
    path: '/v1/recruiting-events/{id}/close',
    summary:
      'Close an event: the checked-in attended, the others holding a seat are no-shows (event.attended / event.no_show)',
    description:
      'An event closes by itself a day after it ends. Closing records each outcome once; closing again changes nothing.',
    access: { scope: 'recruiting-events:write' },
    params: EVENT,
    answers: {
      200: { description: 'The event, closed', schema: 'recruiting-event.schema.json' },
      404: { description: 'Unknown event' },
    },
    async handle(c, { params }, deps) {
      return c.json(await closeEvent(deps, params.id!));
    },
  }),
];
