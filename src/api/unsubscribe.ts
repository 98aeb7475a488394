// Public unsubscribe pages, reached from the link in every email's List-Unsubscribe header: GET shows a
// confirmation page, POST unsubscribes (RFC 8058 one-click, or the page's button). The token is signed;
// the page names no one, shows a masked address, and never redirects anywhere.
import { Hono } from 'hono';
import { html } from 'hono/html';
import { messageRecipient } from '../db/message-subjects.js';
import type { ApiDeps } from './deps.js';
import { page } from './public-page.js';
import { acceptSubjectEvent } from './events.js';

const mask = (email: string | null) =>
  email
    ? email.replace(/^(.)[^@]*(@.*)$/, (_all, first: string, domain: string) => `${first}…${domain}`)
    : '';

export function unsubscribeRoutes(deps: ApiDeps) {
  const find = async (token: string) => {
    const claims = deps.links.verify(token, 'u');
    return claims && (await messageRecipient(deps.sql, claims.m));
  };
  const notFound = page('Link not recognised', html`<p>This unsubscribe link is not valid.</p>`);
  return new Hono()
    .get('/:token', async (c) => {
      const token = c.req.param('token');
      const who = await find(token);
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
    })
    .post('/:token', async (c) => {
      const token = c.req.param('token');
      const claims = deps.links.verify(token, 'u');
      const who = claims && (await messageRecipient(deps.sql, claims.m));
      if (!claims || !who || !who.email) return c.html(notFound, 404);
      // An event like any other: the candidate is marked unsubscribed before any journey reacts, and every
      // journey exiting on it ends. The message id makes a repeated click one event.
      await acceptSubjectEvent(deps, {
        subject: { candidateId: who.candidate_id },
        id: `unsubscribe-${claims.m}`,
        source: 'unsubscribe-link',
        type: 'candidate.unsubscribed',
        data: { message_id: claims.m },
      });
      return c.html(
        page('You are unsubscribed', html`<p>${mask(who.email)} gets no more messages from us.</p>`),
      );
    });
}
