// Public link pages, reached from links in messages (no API key; every token is signed):
// - GET /t/{token} of a tracked link records the click (`candidate.clicked`) and redirects to the URL the
//   token carries, and nowhere else: a token cannot be altered without breaking its signature, and only
//   http(s) URLs without control characters are followed. A tracked link lives TRACKED_LINK_DAYS from
//   its message's creation (the outbox row, so links sent before the rule follow it too); after that, or
//   when the message is gone, it answers 410 with a page that names no address, and records nothing.
// - GET /t/{token} of an answer link (`links.open_to_work` …) asks the candidate to confirm, and POST
//   records the answer as its event. Mail scanners that open every link never answer for the candidate.
// - GET /t/{token} of an RSVP link (`links.rsvp_yes` …) shows the recruiting event and asks the same way;
//   POST records the answer: a seat, a place on the waitlist, or a seat given up (src/recruiting-events/).
import { createHash } from 'node:crypto';
import { html } from 'hono/html';
import { messageNewerThan, messageRecipient } from '../db/message-subjects.js';
import type { AnswerEvent } from '../links/message-links.js';
import type { ApiDeps } from './deps.js';
import { acceptSubjectEvent } from '../intake/accept.js';
import { operation } from './operation.js';
import { FILTERS } from '../expressions/filters.js';
import { getRecruitingEvent, type RecruitingEventRow } from '../db/recruiting-events.js';
import type { LinkClaims } from '../links/tokens.js';
import { respond } from '../recruiting-events/recruiting-events.js';
import { LINK_ACCESS, LINK_TOKEN, linkNotFound, page } from './public-page.js';

/** The page of each answer link (src/links/message-links.ts): the compiler keeps the two lists in step. */
const ANSWERS: Record<AnswerEvent, { question: string; button: string; done: string }> = {
  'candidate.open_to_work': {
    question: 'Let us know you are open to new opportunities?',
    button: 'Yes, I am open',
    done: 'Thanks! A recruiter will be in touch.',
  },
  'candidate.not_looking': {
    question: 'Let us know you are not looking right now?',
    button: 'Not now',
    done: 'Thanks for letting us know. We will check in again later.',
  },
  'candidate.event_registered': {
    question: 'Register for the event?',
    button: 'Register',
    done: 'You are registered. See you there!',
  },
  'candidate.withdrew': {
    question: 'Withdraw from the process?',
    button: 'Withdraw',
    done: 'You have withdrawn. Thank you for your time.',
  },
};

/** The RSVP page's question and button for each answer, and what it says once recorded. */
const RSVP = {
  yes: { question: 'Will you join us', button: 'Yes, I will be there' },
  no: { question: 'Can you not make it to', button: 'No, I cannot come' },
  maybe: { question: 'Might you join us', button: 'Maybe' },
} as const;
const RSVP_DONE: Record<string, string> = {
  going: 'You have a seat. See you there!',
  waitlisted: 'The event is full: you are on the waitlist, and we will write as soon as a seat opens.',
  declined: 'Thanks for letting us know. Maybe next time!',
  maybe: 'Thanks! We will keep you posted.',
  walk_in: 'You have a seat. See you there!',
};

/** How long a tracked link redirects, counted from its message's creation: recruiting spans months. */
export const TRACKED_LINK_DAYS = 365;
const linkExpired = page('Link expired', html`<p>This link has expired.</p>`);

const ANSWERS_CLOSED = 'Answers are closed: the event has started or taken place.';

const when = (event: RecruitingEventRow) =>
  `${String(FILTERS.in_tz(event.starts_at.toISOString(), event.timezone))} (${event.timezone})`;
const where = (event: RecruitingEventRow) => event.location ?? event.url ?? '';

/** The RSVP link's event and candidate, if the link is ours and both exist. */
async function rsvpOf(deps: ApiDeps, claims: Extract<LinkClaims, { k: 'v' }> | undefined) {
  if (!claims) return undefined;
  const [who, event] = await Promise.all([
    messageRecipient(deps.sql, claims.m),
    getRecruitingEvent(deps.sql, claims.v),
  ]);
  return who && event ? { who, event, answer: claims.a } : undefined;
}

const answerPage = (event: string) =>
  Object.hasOwn(ANSWERS, event) ? ANSWERS[event as AnswerEvent] : undefined;

/** A URL that is safe to put in a Location header: absolute http(s), no control characters or spaces. */
export function safeRedirect(url: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export const trackingOperations = [
  operation({
    method: 'get',
    path: '/t/{token}',
    summary: 'A tracked link: records the click and redirects to the URL the signed token carries',
    access: LINK_ACCESS,
    params: LINK_TOKEN,
    notFound: (c) => c.html(linkNotFound, 404),
    answers: {
      302: { description: 'Redirect', headers: { Location: 'The URL the token carries' } },
      200: { description: 'Confirmation page of an answer link', mediaType: 'text/html' },
      404: { description: 'Unknown link', mediaType: 'text/html' },
      410: {
        description: `A tracked link older than ${TRACKED_LINK_DAYS} days, or of a message that is gone`,
        mediaType: 'text/html',
      },
    },
    async handle(c, { params }, deps) {
      const token = params.token!;
      c.header('cache-control', 'no-store');
      c.header('referrer-policy', 'no-referrer');
      const tracked = deps.links.verify(token, 't');
      if (tracked) {
        const target = safeRedirect(tracked.u);
        if (!target) return c.html(linkNotFound, 404);
        if (!(await messageNewerThan(deps.sql, tracked.m, TRACKED_LINK_DAYS)))
          return c.html(linkExpired, 410);
        await recordClick(deps, tracked.m, target).catch((error: unknown) =>
          deps.log.warn({ err: error, messageId: tracked.m }, 'click not recorded'),
        );
        return c.redirect(target, 302);
      }
      const rsvp = await rsvpOf(deps, deps.links.verify(token, 'v'));
      if (rsvp) {
        const { event, answer } = rsvp;
        const form = html`<p>${when(event)}<br />${where(event)}</p>
          ${
            event.status === 'closed' || event.starts_at <= new Date()
              ? html`<p>${ANSWERS_CLOSED}</p>`
              : html`<form method="post" action="/t/${token}">
                  <button type="submit">${RSVP[answer].button}</button>
                </form>`
          }`;
        return c.html(page(`${RSVP[answer].question} ${event.title}?`, form));
      }
      const answer = deps.links.verify(token, 'e');
      const text = answer && answerPage(answer.e);
      if (!answer || !text || !(await messageRecipient(deps.sql, answer.m))) return c.html(linkNotFound, 404);
      return c.html(
        page(
          text.question,
          html`<form method="post" action="/t/${token}"><button type="submit">${text.button}</button></form>`,
        ),
      );
    },
  }),
  operation({
    method: 'post',
    path: '/t/{token}',
    summary: 'Confirm an answer link (e.g. open to work) or an RSVP; recorded as its event',
    access: LINK_ACCESS,
    params: LINK_TOKEN,
    notFound: (c) => c.html(linkNotFound, 404),
    answers: {
      200: { description: 'Recorded', mediaType: 'text/html' },
      404: { description: 'Unknown link', mediaType: 'text/html' },
    },
    async handle(c, { params }, deps) {
      const rsvp = await rsvpOf(deps, deps.links.verify(params.token!, 'v'));
      if (rsvp) {
        const { who, event, answer } = rsvp;
        const answered = await respond(deps, { event, candidateId: who.candidate_id, answer });
        if (!answered) return c.html(page(event.title, html`<p>${ANSWERS_CLOSED}</p>`));
        return c.html(
          page(
            event.title,
            html`<p>${RSVP_DONE[answered.status]}</p>
              <p>${when(event)}<br />${where(event)}</p>`,
          ),
        );
      }
      const answer = deps.links.verify(params.token!, 'e');
      const text = answer && answerPage(answer.e);
      const who = answer && (await messageRecipient(deps.sql, answer.m));
      if (!answer || !text || !who) return c.html(linkNotFound, 404);
      // The message and the answer make the event's id: answering twice is one event.
      await acceptSubjectEvent(deps, {
        subject: { candidateId: who.candidate_id },
        type: answer.e,
        source: 'link',
        id: `${answer.m}/${answer.e}`,
        data: { message_id: answer.m, journey_id: who.journey_id, step: who.step },
      });
      return c.html(page(text.done, html``));
    },
  }),
];

/** A click is `candidate.clicked`, once per message and URL. */
async function recordClick(deps: ApiDeps, messageId: string, url: string): Promise<void> {
  const who = await messageRecipient(deps.sql, messageId);
  if (!who) return;
  const urlHash = createHash('sha256').update(url).digest('base64url').slice(0, 22);
  await acceptSubjectEvent(deps, {
    subject: { candidateId: who.candidate_id },
    type: 'candidate.clicked',
    source: 'link',
    id: `${messageId}/${urlHash}`,
    data: { message_id: messageId, url, journey_id: who.journey_id, step: who.step },
  });
}
