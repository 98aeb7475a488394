// Public unsubscribe pages, reached from the link in every email's List-Unsubscribe header: GET shows a
// confirmation page, POST unsubscribes (RFC 8058 one-click, or the page's button). The token is signed;
// the page names no one, shows a masked address, and never redirects anywhere.
import { html } from 'hono/html';
import { messageRecipient } from '../db/message-subjects.js';
import type { ApiDeps } from './deps.js';
import { LINK_ACCESS, LINK_TOKEN, page } from './public-page.js';
import { acceptSubjectEvent } from '../intake/accept.js';
import { operation } from './operation.js';

const mask = (email: string | null) =>
  email
    ? email.replace(/^(.)[^@]*(@.*)$/, (_all, first: string, domain: string) => `${first}…${domain}`)
    : '';

const notFound = page('Link not recognised', html`<p>This unsubscribe link is not valid.</p>`);

async function recipient(deps: ApiDeps, token: string) {
  const claims = deps.links.verify(token, 'u');
  return claims && { claims, who: await messageRecipient(deps.sql, claims.m) };
}

export const unsubscribeOperations = [
  operation({
    method: 'get',
    path: '/u/{token}',
    summary: 'Unsubscribe confirmation page (HTML)',
    access: LINK_ACCESS,
    params: LINK_TOKEN,
    notFound: (c) => c.html(notFound, 404),
    answers: {
      200: { description: 'The page', mediaType: 'text/html' },
      404: { description: 'Unknown link', mediaType: 'text/html' },
    },
    async handle(c, { params }, deps) {
      const token = params.token!;
      const who = (await recipient(deps, token))?.who;
      if (!who) return c.html(notFound, 404);
      if (who.unsubscribed)
        return c.html(
          page('You are unsubscribed', html`<p>${mask(who.email)} gets no more messages from us.</p>`),
        );
      return c.html(
        page(
          'Unsubscribe?',
          html`<p>Stop all messages to ${mask(who.email)}?</p>
            <form method="post" action="/u/${token}"><button type="submit">Unsubscribe</button></form>`,
        ),
      );
    },
  }),
  operation({
    method: 'post',
    path: '/u/{token}',
    summary: 'Unsubscribe (RFC 8058 one-click)',
    access: LINK_ACCESS,
    params: LINK_TOKEN,
    notFound: (c) => c.html(notFound, 404),
    answers: {
      200: { description: 'Unsubscribed', mediaType: 'text/html' },
      404: { description: 'Unknown link', mediaType: 'text/html' },
    },
    async handle(c, { params }, deps) {
      const found = await recipient(deps, params.token!);
      const who = found?.who;
      if (!found || !who || !who.email) return c.html(notFound, 404);
      // An event like any other: the candidate is marked unsubscribed before any journey reacts, and every
      // journey exiting on it ends. The message id makes a repeated click one event.
      await acceptSubjectEvent(deps, {
        subject: { candidateId: who.candidate_id },
        id: `unsubscribe-${found.claims.m}`,
        source: 'unsubscribe-link',
        type: 'candidate.unsubscribed',
        data: { message_id: found.claims.m },
      });
      return c.html(
        page('You are unsubscribed', html`<p>${mask(who.email)} gets no more messages from us.</p>`),
      );
    },
  }),
];
