// The links a message carries, all signed for that message: its unsubscribe link, answer links (a click
// is the candidate's answer, e.g. `links.open_to_work`), every web link of the HTML part rewritten to go
// through click tracking, and a Message-ID that a reply's In-Reply-To brings back.
import { RSVP_ANSWERS } from '../domain.js';
import type { LinkSigner } from './tokens.js';

export interface Links {
  /** Public base URL of the API (RAPPORT_PUBLIC_URL), where /u, /t and the pages are served. */
  publicUrl: string;
  signer: LinkSigner;
}

/** Answers a candidate can give with one click: `links.<name>` in templates is the event `candidate.<name>`. */
export const ANSWER_LINKS = ['open_to_work', 'not_looking', 'event_registered', 'withdrew'] as const;
export type AnswerEvent = `candidate.${(typeof ANSWER_LINKS)[number]}`;

/**
 * `unsubscribe_url` and `links` for a message's template scope; with the recruiting event the journey is
 * about (`event.data.recruiting_event`), also its RSVP links.
 */
export function messageScope(links: Links, messageId: string, recruitingEventId?: string) {
  const url = (token: string, path: string) => `${links.publicUrl}/${path}/${token}`;
  return {
    unsubscribe_url: url(links.signer.sign({ k: 'u', m: messageId }), 'u'),
    links: Object.fromEntries<string>([
      ...ANSWER_LINKS.map((name): [string, string] => [
        name,
        url(links.signer.sign({ k: 'e', m: messageId, e: `candidate.${name}` }), 't'),
      ]),
      ...(recruitingEventId
        ? RSVP_ANSWERS.map((a): [string, string] => [
            `rsvp_${a}`,
            url(links.signer.sign({ k: 'v', m: messageId, v: recruitingEventId, a }), 't'),
          ])
        : []),
    ]),
  };
}

/** The recruiting event a journey's event names (`data.recruiting_event.id`), if any. */
export function recruitingEventOf(event: { data?: Record<string, unknown> } | null | undefined) {
  const named = event?.data?.recruiting_event;
  const id = typeof named === 'object' && named !== null ? (named as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

const HREF = /href="(https?:\/\/[^"]+)"/g;
const unescape = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** The HTML with every web link sent through click tracking, except Rapport's own signed links. */
export function trackLinks(html: string, links: Links, messageId: string): string {
  return html.replace(HREF, (whole, href: string) => {
    const target = unescape(href);
    if (target.startsWith(`${links.publicUrl}/`)) return whole;
    const token = links.signer.sign({ k: 't', m: messageId, u: target });
    return `href="${escape(`${links.publicUrl}/t/${token}`)}"`;
  });
}

/** The Message-ID of an email: signed, so that a reply naming it (In-Reply-To) proves which message it answers. */
export function replyableMessageId(links: Links | undefined, messageId: string): string {
  return links ? `<${links.signer.sign({ k: 'r', m: messageId })}@rapport>` : `<${messageId}@rapport>`;
}

/** The message a reply answers, from its In-Reply-To and References headers; undefined when none is ours. */
export function repliedMessage(signer: LinkSigner, headers: string): string | undefined {
  for (const [, token] of headers.matchAll(/<([A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43})@rapport>/g)) {
    const claims = signer.verify(token!, 'r');
    if (claims) return claims.m;
  }
  return undefined;
}
