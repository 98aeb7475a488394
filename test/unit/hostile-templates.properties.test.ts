// Hostile data in the shipped message templates (fast-check and a corpus): every candidate, job and event
// field the scope has is filled with Liquid, environment references, web addresses, CR/LF, HTML and
// script, unicode that is not text, and very long text, and every template is rendered with it as the
// send activity renders (in a worker thread, each case bounded in time). Data stays data: it is printed
// as written (HTML-escaped in the HTML part), never run as Liquid, never reads the environment, never
// becomes a link, and never breaks the subject line.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { BoundedWorker, type Bounded } from '../helpers/bounded-worker.js';
import {
  ENV_CANARY,
  ENV_CANARY_NAME,
  HostileTally,
  hostileSeed,
  hostileString,
  HOSTILE_STRINGS,
  SCOPE_CANARY,
} from '../helpers/hostile.js';
import type { RenderInput, RenderOutcome } from '../helpers/template-render-worker.js';

const seed = hostileSeed();
const tally = new HostileTally('templates', seed);
/** Rendering every template for one case answers in well under a second; this long is a hang. */
const BOUND_MS = 10_000;
const worker = new BoundedWorker<RenderInput, RenderOutcome>(
  new URL('../helpers/template-render-worker.ts', import.meta.url),
  BOUND_MS,
);
afterAll(async () => {
  await worker.close();
  console.log(tally.report());
});

/** Every text field of the template scope the data fills (schemas/scope.schema.json), and what templates read. */
// prettier-ignore
const TEXT_FIELDS = [
  'candidate.id', 'candidate.email', 'candidate.first_name', 'candidate.last_name', 'candidate.phone',
  'candidate.timezone', 'candidate.locale', 'candidate.location', 'candidate.stage',
  'candidate.employment_status', 'candidate.birthday', 'candidate.source', 'candidate.owner',
  'candidate.custom.note', 'candidate.created_at', 'candidate.updated_at',
  'job.id', 'job.title', 'job.location', 'job.seniority', 'job.status', 'job.owner', 'job.custom.team',
  'event.id', 'event.type', 'event.source', 'event.occurred_at',
  'event.data.job.title', 'event.data.recruiting_event.id', 'event.data.recruiting_event.title',
  'event.data.recruiting_event.url', 'event.data.recruiting_event.location',
  'event.data.recruiting_event.starts_at', 'event.data.interview.at', 'event.data.interview.location',
  'event.data.interview.with', 'event.data.stage.name', 'event.data.furthest_stage.name',
  'event.data.furthest_stage.kind', 'event.data.feedback', 'event.data.advice', 'event.data.promoted',
];
const LIST_FIELDS = ['candidate.tags', 'candidate.skills', 'job.skills', 'job.tags'];

/** Data that tries to run, to read the environment, or to become a link. */
const TEMPLATE_HOSTILE = [
  '{{ canary }}',
  '{{canary | upcase | downcase}}',
  '{%- assign x = canary -%}{{ x }}',
  '{% if true %}{{ canary }}{% endif %}',
  '{% raw %}{{ canary }}{% endraw %}',
  `{{env:${ENV_CANARY_NAME}}}`,
  `{{ env.${ENV_CANARY_NAME} }}`,
  `\u0000env:${ENV_CANARY_NAME}\u0000`,
  `\${${ENV_CANARY_NAME}}`,
  `$${ENV_CANARY_NAME} %${ENV_CANARY_NAME}%`,
  'https://evil.example/a',
  'See https://evil.example/b.',
  'http://evil.example:8080/c?d=1&e=<f>',
  'https://careers.acme.example.evil.example/',
  'https://rapport.acme.example@evil.example/t/x',
];
const value = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...TEMPLATE_HOSTILE) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...TEMPLATE_HOSTILE), hostileString), { minLength: 2, maxLength: 4 })
      .map((parts) => parts.join(' ')),
  },
);

function set(target: Record<string, unknown>, dotted: string, v: unknown) {
  const keys = dotted.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
  at[keys.at(-1)!] = v;
}

type Data = Record<string, string | string[]>;
function scopeOf(data: Data): RenderInput {
  const root: Record<string, unknown> = {
    candidate: { consent: { email: true, sms: true }, unsubscribed_at: null },
    job: {},
    event: {},
  };
  for (const [field, v] of Object.entries(data)) set(root, field, v);
  return root as unknown as RenderInput;
}

const dataArb: fc.Arbitrary<Data> = fc
  .tuple(
    fc.tuple(...TEXT_FIELDS.map(() => value)),
    fc.tuple(...LIST_FIELDS.map(() => fc.array(value, { maxLength: 3 }))),
  )
  .map(([texts, lists]) => ({
    ...Object.fromEntries(TEXT_FIELDS.map((f, i) => [f, texts[i]!])),
    ...Object.fromEntries(LIST_FIELDS.map((f, i) => [f, lists[i]!])),
  }));

/** Each field as a word of its own, to see which fields each template prints, and where. */
const NEUTRAL: Data = Object.fromEntries([
  ...TEXT_FIELDS.map((f, i) => [f, `zq${i}x`]),
  ...LIST_FIELDS.map((f, i) => [f, [`zl${i}x`]]),
]);

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
// eslint-disable-next-line no-control-regex -- the output marks are control characters
const unmarked = (s: string) => s.replace(/[\u0002\u0003]/g, '');
const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
const site = (url: string) => /^[a-z]+:\/\/[^/?#\\]*/i.exec(url)?.[0].toLowerCase() ?? url;
/** The tags the HTML part is made of; anything else is data that was not escaped. */
const OWN_TAG = /^<(!doctype html|\/?html|\/?body|\/?p|br|\/a|a href="[^"<>]*")>$/;

async function render(data: Data): Promise<Bounded<RenderOutcome>> {
  return worker.run(scopeOf(data));
}

/** Where each field's word shows in the neutral rendering of each template. */
let neutral: Map<string, { subject: string; text: string }> | undefined;
async function printedFields() {
  if (neutral) return neutral;
  const outcome = await render(NEUTRAL);
  if (outcome.kind !== 'answered') throw new Error(`the neutral rendering did not answer: ${outcome.kind}`);
  neutral = new Map(
    outcome.value.messages.map((m) => [m.template, 'thrown' in m ? { subject: '', text: '' } : m]),
  );
  return neutral;
}

/** Whether a value is printed as written: not a date a filter formats, not empty, not reflowed. */
function printedAsWritten(v: string): boolean {
  const t = unmarked(v).trim();
  return t !== '' && !/\n{3,}/.test(t) && !DateTime.fromISO(t, { zone: 'utc' }).isValid;
}

/** Why a rendering breaks a property, or undefined when every property holds. */
async function violation(data: Data, outcome: Bounded<RenderOutcome>): Promise<string | undefined> {
  if (outcome.kind === 'hang') return `no answer within ${Math.round(outcome.ms)} ms`;
  if (outcome.kind === 'crash') return `the renderer crashed: ${outcome.error}`;
  const fields = await printedFields();
  const trustedSites = new Set(outcome.value.trusted.map(site));
  for (const m of outcome.value.messages) {
    if ('thrown' in m) return `${m.template} threw: ${m.thrown}`;
    const where = (part: string) => `${m.template} ${part}`;
    if (/[\r\n]/.test(m.subject)) return `${where('subject')} holds CR/LF: ${JSON.stringify(m.subject)}`;
    for (const [part, out] of Object.entries({ subject: m.subject, text: m.text, html: m.html })) {
      if (out.includes(SCOPE_CANARY)) return `${where(part)} ran data as Liquid: ${JSON.stringify(out)}`;
      if (out.includes(ENV_CANARY)) return `${where(part)} read the environment: ${JSON.stringify(out)}`;
      // eslint-disable-next-line no-control-regex -- the output marks are control characters
      if (/[\u0002\u0003]/.test(out)) return `${where(part)} keeps output marks`;
    }
    for (const [tag] of m.html.matchAll(/<[^>]*>?/g))
      if (!OWN_TAG.test(tag)) return `${where('html')} has a tag it did not write: ${tag}`;
    for (const [, href] of m.html.matchAll(/<a href="([^"]*)">/g)) {
      const url = href!.replace(/&amp;/g, '&');
      if (!trustedSites.has(site(url))) return `${where('html')} links an address from data: ${url}`;
    }
    const seen = fields.get(m.template)!;
    for (const [field, given] of Object.entries(data)) {
      const token = [NEUTRAL[field]!].flat()[0]!;
      for (const v of [given].flat()) {
        if (!printedAsWritten(v)) continue;
        const shown = unmarked(v).trim();
        if (seen.text.includes(token) && !m.text.includes(shown))
          return `${where('text')} does not print ${field} as written: ${JSON.stringify(v)}`;
        if (seen.subject.includes(token) && !m.subject.includes(oneLine(shown)))
          return `${where('subject')} does not print ${field} as written: ${JSON.stringify(v)}`;
        if (seen.text.includes(token) && !shown.includes('\n') && !m.html.includes(escapeHtml(shown)))
          return `${where('html')} does not print ${field} escaped: ${JSON.stringify(v)}`;
      }
    }
  }
  return undefined;
}

async function holds(data: Data): Promise<void> {
  tally.tried(data);
  const reason = await violation(data, await render(data));
  if (reason) tally.fail(reason);
}

describe('hostile data in every shipped template', () => {
  it('reads which fields each template prints', async () => {
    const fields = await printedFields();
    expect(fields.size).toBeGreaterThan(20);
    expect(fields.get('application-received')!.subject).toContain(NEUTRAL['candidate.first_name']);
  }, 60_000);

  it('is printed as written, HTML-escaped, never run, never a link, never a line break in the subject', async () => {
    await fc.assert(fc.asyncProperty(dataArb, holds), { seed, numRuns: 500 });
  }, 180_000);

  it.each(HOSTILE_STRINGS.map((s) => [JSON.stringify(s).slice(0, 60), s]))(
    'in every field at once, %s, keeps every property',
    async (_, s) => {
      await holds({
        ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, s])),
        ...Object.fromEntries(LIST_FIELDS.map((f) => [f, [s, s]])),
      });
    },
    60_000,
  );

  it.each(TEMPLATE_HOSTILE.map((s) => [s.replaceAll('\u0000', '\\0'), s]))(
    'in every field at once, %s, keeps every property',
    async (_, s) => {
      await holds({
        ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, s])),
        ...Object.fromEntries(LIST_FIELDS.map((f) => [f, [s]])),
      });
    },
    60_000,
  );

  it('of a megabyte in one field renders within its time bound', async () => {
    const huge = `${'https://evil.example/'.repeat(20_000)}${'x'.repeat(500_000)}`;
    await holds({
      ...NEUTRAL,
      'event.data.feedback': huge,
      'candidate.first_name': `${'{{ '.repeat(50_000)}`,
    });
  }, 60_000);
});
