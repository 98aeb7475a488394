// Security headers of every console page (Hono's secure-headers middleware): a strict
// Content-Security-Policy — scripts, styles and images from Rapport itself only, no inline script, no
// framing — and no caching of pages that show candidates.
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

const secure = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    formAction: ["'self'"],
    frameSrc: ["'self'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  referrerPolicy: 'same-origin',
  xFrameOptions: 'DENY',
});

/**
 * The policy of a message's HTML part, shown in a sandboxed frame of its page: a unique origin, no
 * script, no form, no fetch; inline styles and images as emails carry them; framed by the console only.
 */
export const FRAMED_CSP =
  "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-ancestors 'self'";

export const consoleHeaders: MiddlewareHandler = async (c, next) => {
  await secure(c, next);
  const own = c.get('ownCsp' as never) as string | undefined;
  if (own) {
    c.res.headers.set('Content-Security-Policy', own);
    c.res.headers.set('X-Frame-Options', 'SAMEORIGIN');
  }
  if (c.res.headers.get('content-type')?.startsWith('text/html'))
    c.res.headers.set('Cache-Control', 'no-store');
};
