// The links a message carries: tracked web links in the HTML part, answer links, the signed Message-ID
// a reply brings back, the outbox id derived from the idempotency key, and the redirect rule.
import { describe, expect, it } from 'vitest';
import { messageIdFor } from '../../src/db/messages.js';
import {
  messageScope,
  repliedMessage,
  replyableMessageId,
  trackLinks,
} from '../../src/links/message-links.js';
import { linkSigner } from '../../src/links/tokens.js';
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
