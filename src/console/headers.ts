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

export const consoleHeaders: MiddlewareHandler = async (c, next) => {
  await secure(c, next);
  if (c.res.headers.get('content-type')?.startsWith('text/html'))
    c.res.headers.set('Cache-Control', 'no-store');
};
