// Public link pages, reached from links in messages (no API key; every token is signed):
// - GET /t/{token} of a tracked link records the click (`candidate.clicked`) and redirects to the URL the
//   token carries, and nowhere else: a token cannot be altered without breaking its signature, and only
//   http(s) URLs without control characters are followed.
// - GET /t/{token} of an answer link (`links.open_to_work` …) asks the candidate to confirm, and POST
//   records the answer as its event. Mail scanners that open every link never answer for the candidate.
import { createHash } from 'node:crypto';
import { html } from 'hono/html';
import { messageRecipient } from '../db/message-subjects.js';
import type { AnswerEvent } from '../links/message-links.js';
import type { ApiDeps } from './deps.js';
import { acceptSubjectEvent } from '../intake/accept.js';
import { operation } from './operation.js';
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
    },
    async handle(c, { params }, deps) {
      const token = params.token!;
      c.header('cache-control', 'no-store');
      c.header('referrer-policy', 'no-referrer');
      const tracked = deps.links.verify(token, 't');
      if (tracked) {
        const target = safeRedirect(tracked.u);
        if (!target) return c.html(linkNotFound, 404);
        await recordClick(deps, tracked.m, target).catch((error: unknown) =>
          deps.log.warn({ err: error, messageId: tracked.m }, 'click not recorded'),
        );
        return c.redirect(target, 302);
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
    summary: 'Confirm an answer link (e.g. open to work); recorded as its event',
    access: LINK_ACCESS,
    params: LINK_TOKEN,
    notFound: (c) => c.html(linkNotFound, 404),
    answers: {
      200: { description: 'Recorded', mediaType: 'text/html' },
      404: { description: 'Unknown link', mediaType: 'text/html' },
    },
    async handle(c, { params }, deps) {
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
