// The console's page frame: one stylesheet and one script, both served by Rapport (no CDN), under a
// strict Content-Security-Policy (src/console/headers.ts). Pages are server-rendered with Hono's `html`
// template, which escapes every value it is given: candidate data is always text.
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ConsoleSession } from '../db/console-sessions.js';
import { grants, type Scope } from '../http/scopes.js';

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const SECTIONS: { href: string; label: string; scope: Scope }[] = [
  { href: '/', label: 'Attention', scope: 'candidates:read' },
  { href: '/funnel', label: 'Funnel', scope: 'candidates:read' },
  { href: '/candidates', label: 'Candidates', scope: 'candidates:read' },
  { href: '/playbooks', label: 'Playbooks', scope: 'playbooks:read' },
  { href: '/jobs', label: 'Jobs', scope: 'jobs:read' },
  { href: '/campaigns', label: 'Campaigns', scope: 'campaigns:read' },
  { href: '/events', label: 'Events', scope: 'recruiting-events:read' },
  { href: '/outbox', label: 'Outbox', scope: 'messages:read' },
  { href: '/tasks', label: 'Tasks', scope: 'tasks:read' },
];

export interface PageOptions {
  title: string;
  session?: ConsoleSession | undefined;
  /** The section of the navigation this page belongs to. */
  section?: string;
  body: Html;
}

export function render(
  c: Context,
  status: ContentfulStatusCode,
  page: PageOptions,
): Response | Promise<Response> {
  const session = page.session;
  return c.html(
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>${page.title} · Rapport</title>
          <link rel="stylesheet" href="/console/console.css" />
          <script src="/console/console.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main">Skip to content</a>
          <header class="top">
            <a class="brand" href="/">Rapport</a>
            ${
              session
                ? html`<nav aria-label="Sections">
                      <ul>
                        ${SECTIONS.filter((s) => grants(session.key.scopes, s.scope)).map(
                          (s) =>
                            html`<li>
                              <a href="${s.href}" ${page.section === s.href ? html`aria-current="page"` : ''}
                                >${s.label}</a
                              >
                            </li>`,
                        )}
                      </ul>
                    </nav>
                    <form class="who" method="post" action="/sign-out">
                      ${csrfField(session)}
                      <span>Signed in with <strong>${session.key.name}</strong></span>
                      <button type="submit">Sign out</button>
                    </form>`
                : ''
            }
          </header>
          <main id="main">
            <h1>${page.title}</h1>
            ${page.body}
          </main>
        </body>
      </html>`,
    status,
  );
}

/** A page that only says something (signed out, not allowed, not found). */
export function messagePage(
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  message: string,
): Response | Promise<Response> {
  const signIn = status === 401 ? html`<p><a href="/sign-in">Sign in</a></p>` : '';
  return render(c, status, {
    title,
    body: html`<p>${message}</p>
      ${signIn}`,
  });
}

/** The hidden CSRF field every form carries. */
export function csrfField(session: ConsoleSession) {
  return html`<input type="hidden" name="_csrf" value="${session.csrf}" />`;
}

/** Whether the signed-in key may do this: actions it may not take are not shown. */
export const may = (session: ConsoleSession, scope: Scope) => grants(session.key.scopes, scope);

const DATE = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/** A moment as people read it, in a <time> element that keeps the exact instant. */
export function when(at: Date | string | null | undefined) {
  if (!at) return html`<span class="muted">—</span>`;
  const d = typeof at === 'string' ? new Date(at) : at;
  return html`<time datetime="${d.toISOString()}">${DATE.format(d)} UTC</time>`;
}

/** The link to a list's next page: this page's URL with the cursor of the next. */
export function nextLink(c: Context, cursor: string | null) {
  if (!cursor) return '';
  const url = new URL(c.req.url);
  url.searchParams.set('cursor', cursor);
  return html`<p><a href="${url.pathname + url.search}">Next page</a></p>`;
}

/** How a candidate is named on every page: first and last name, else the email. */
export const candidateName = (c: {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}) => [c.first_name, c.last_name].filter(Boolean).join(' ') || c.email || 'Unnamed candidate';
