// The small HTML pages candidates see after a click (unsubscribe, answers): no scripts, nobody named.
import { html } from 'hono/html';

export const page = (title: string, body: unknown) =>
  html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
      </head>
      <body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
        <h1>${title}</h1>
        ${body}
      </body>
    </html>`;

/** A link page's token, signed for one message: `<payload>.<signature>`, both base64url. */
export const LINK_TOKEN = {
  token: {
    description: 'The signed token of the link',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', maxLength: 4000 },
  },
};
/** Who may open a link page: anyone holding the link. */
export const LINK_ACCESS = { public: 'a link in a message; its token is signed' };

export const linkNotFound = page('Link not recognised', html`<p>This link is not valid.</p>`);
