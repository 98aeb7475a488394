// The links a message carries: tracked web links in the HTML part, answer links, the signed Message-ID
// a reply brings back, the outbox id derived from the idempotency key, and the redirect rule.
import { describe, expect, it } from 'vitest';
import { messageIdFor } from '../../src/db/messages.js';
import {
  messageScope,
  recruitingEventOf,
  repliedMessage,
  replyableMessageId,
  trackLinks,
} from '../../src/links/message-links.js';
import { linkSigner, type LinkClaims } from '../../src/links/tokens.js';
import { safeRedirect } from '../../src/http/tracking.js';

const links = { publicUrl: 'https://rapport.acme.example', signer: linkSigner('secret') };
const m = '8d9f0c1e-0000-4000-8000-000000000001';

describe('message links', () => {
  it('send every web link of the HTML part through click tracking, to the exact URL', () => {
    const html =
      '<p><a href="https://acme.example/jobs?a=1&amp;b=2">jobs</a> <a href="mailto:x@acme.example">mail</a> ' +
      '<a href="https://rapport.acme.example/u/abc">unsubscribe</a></p>';
    const tracked = trackLinks(html, links, m);
    const hrefs = [...tracked.matchAll(/href="([^"]+)"/g)].map((h) => h[1]!.replace(/&amp;/g, '&'));
    expect(hrefs[1]).toBe('mailto:x@acme.example');
    expect(hrefs[2]).toBe('https://rapport.acme.example/u/abc');
    const token = /\/t\/(.+)$/.exec(hrefs[0]!)![1]!;
    expect(links.signer.verify(token, 't')).toEqual({ k: 't', m, u: 'https://acme.example/jobs?a=1&b=2' });
  });

  it('give templates an unsubscribe URL and one answer link per answer', () => {
    const scope = messageScope(links, m);
    expect(scope.unsubscribe_url).toMatch(/^https:\/\/rapport\.acme\.example\/u\//);
    const token = scope.links.open_to_work!.split('/t/')[1]!;
    expect(links.signer.verify(token, 'e')).toEqual({ k: 'e', m, e: 'candidate.open_to_work' });
    expect(links.signer.verify(token, 'u')).toBeUndefined();
  });

  it('give a journey about a recruiting event one RSVP link per answer, and no other journey any', () => {
    const eventId = '5d7c8a3e-2b1f-4c8e-9a6d-1e2f3a4b5c6d';
    const event = { data: { recruiting_event: { id: eventId, title: 'Go meetup' } } };
    const scope = messageScope(links, m, recruitingEventOf(event));
    for (const a of ['yes', 'no', 'maybe'] as const) {
      const token = scope.links[`rsvp_${a}`]!.split('/t/')[1]!;
      expect(links.signer.verify(token, 'v')).toEqual({ k: 'v', m, v: eventId, a });
      expect(links.signer.verify(token, 'e')).toBeUndefined();
    }
    const yes = scope.links.rsvp_yes!.split('/t/')[1]!;
    const [payload, signature] = yes.split('.');
    const no = Buffer.from(JSON.stringify({ k: 'v', m, v: eventId, a: 'no' } satisfies LinkClaims)).toString(
      'base64url',
    );
    expect(links.signer.verify(`${no}.${signature}`, 'v')).toBeUndefined();
    expect(links.signer.verify(`${payload}.${signature}`, 'v')?.a).toBe('yes');
    expect(recruitingEventOf({ data: { recruiting_event: 'go-meetup' } })).toBeUndefined();
    expect(recruitingEventOf(null)).toBeUndefined();
    expect(messageScope(links, m).links.rsvp_yes).toBeUndefined();
  });

  it('sign the Message-ID so that only a real reply names its message', () => {
    const id = replyableMessageId(links, m);
    expect(repliedMessage(links.signer, `<a@b.example> ${id}`)).toBe(m);
    expect(repliedMessage(links.signer, `<${m}@rapport>`)).toBeUndefined();
    expect(repliedMessage(linkSigner('other'), id)).toBeUndefined();
    expect(replyableMessageId(undefined, m)).toBe(`<${m}@rapport>`);
  });

  it('derive the outbox id from the idempotency key: the same key, the same UUID', () => {
    const id = messageIdFor('candidate/1:journey:step:0');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(messageIdFor('candidate/1:journey:step:0')).toBe(id);
    expect(messageIdFor('candidate/1:journey:step:1')).not.toBe(id);
  });

  it.each([
    ['https://acme.example/a b', undefined],
    ['https://acme.example/\r\nSet-Cookie: x', undefined],
    ['javascript:alert(1)', undefined],
    ['//evil.example', undefined],
    ['ftp://acme.example/', undefined],
    ['https://acme.example/jobs?q=<x>', 'https://acme.example/jobs?q=%3Cx%3E'],
  ])('redirect only to absolute http(s) URLs: %s', (url, expected) => {
    expect(safeRedirect(url)).toBe(expected);
  });
});
