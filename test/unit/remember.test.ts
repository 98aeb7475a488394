// Remembered Liquid answers must equal fresh ones for every scope, including scopes whose objects
// changed in place since the last answer; texts that may read more than their variables are not kept.
import fc from 'fast-check';
import { Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { registerFilters } from '../../src/expressions/filters.js';
import { remembered } from '../../src/expressions/remember.js';

const liquid = registerFilters(new Liquid({ strictFilters: true }));

const TEMPLATES = [
  "{{ candidate.first_name | default: 'Hello' }}, what would make the difference next time",
  'News from {{ org.name }}',
  '{{ candidate.tags.size }} tags, first {{ candidate.tags.first }}, {{ candidate.tags[1] }}',
  '{{ candidate.first_name.size }} letters; {{ candidate.custom.level | plus: 1 }}',
  '{{ candidate }}',
  'No variables at all',
];
const EXPRESSIONS = [
  'event.data.round >= 2 and candidate.consent.email',
  "event.type == 'candidate.open_to_work'",
  "candidate.tags contains 'warm'",
  'candidate.custom.level > 3 or candidate.first_name == nil',
  'candidate.tags.size',
  'candidate.tags',
];

const value = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 5 }),
);
const scopeArb = fc.record({
  candidate: fc.record(
    {
      first_name: fc.oneof(fc.constant(undefined), fc.constantFrom('Ada', 'Bo', '')),
      tags: fc.array(fc.constantFrom('warm', 'cold', 'silver'), { maxLength: 3 }),
      consent: fc.record({ email: value }),
      custom: fc.record({ level: value }),
    },
    { requiredKeys: ['tags', 'consent', 'custom'] },
  ),
  org: fc.record({ name: fc.constantFrom('Acme', 'Globex') }),
  event: fc.record({
    type: fc.constantFrom('candidate.open_to_work', 'candidate.not_looking'),
    data: fc.record({ round: value }),
  }),
});

describe('remembered Liquid answers', () => {
  it('equal fresh answers for every scope, one scope object changed in place between answers', () => {
    const templates = TEMPLATES.map((t) => ({
      parsed: liquid.parse(t),
      memory: remembered<string>(liquid, 'template', t),
    }));
    const expressions = EXPRESSIONS.map((e) => ({
      e,
      memory: remembered<unknown>(liquid, 'expression', e),
    }));
    // One candidate object, changed in place like a simulation's: a remembered answer must follow it.
    const shared: Record<string, unknown> = {};
    fc.assert(
      fc.property(fc.array(scopeArb, { minLength: 1, maxLength: 30 }), (scopes) => {
        for (const next of scopes) {
          for (const key of Object.keys(shared)) delete shared[key];
          Object.assign(shared, next.candidate);
          const scope = { ...next, candidate: shared };
          for (const t of templates) {
            const fresh = liquid.renderSync(t.parsed, scope) as string;
            expect(t.memory.get(scope, () => liquid.renderSync(t.parsed, scope) as string)).toBe(fresh);
          }
          for (const x of expressions) {
            const fresh = liquid.evalValueSync(x.e, scope);
            expect(x.memory.get(scope, () => liquid.evalValueSync(x.e, scope))).toEqual(fresh);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('answer from memory when the values read are the same, and keep no object answers', () => {
    let computed = 0;
    const memory = remembered<unknown>(liquid, 'expression', 'org.name');
    const count = (answer: unknown) => () => ((computed += 1), answer);
    memory.get({ org: { name: 'Acme' }, candidate: { first_name: 'A' } }, count('Acme'));
    memory.get({ org: { name: 'Acme' }, candidate: { first_name: 'B' } }, count('Acme'));
    expect(computed).toBe(1);
    memory.get({ org: { name: 'Globex' } }, count('Globex'));
    expect(computed).toBe(2);

    const tags = remembered<unknown>(liquid, 'expression', 'candidate.tags');
    const first = tags.get({ candidate: { tags: ['a'] } }, () => ['a']);
    const second = tags.get({ candidate: { tags: ['a'] } }, () => ['a']);
    expect(second).not.toBe(first);
  });

  it('never keep texts that may read more than their variables', () => {
    for (const [kind, text] of [
      ['template', "{{ 'now' | date: '%Y' }}"],
      ['template', '{% increment n %}{{ n }}'],
      ['template', '{{ candidate[org.field] }}'],
      ['expression', "'now' | date: '%s'"],
    ] as const) {
      let computed = 0;
      const memory = remembered<unknown>(liquid, kind, text);
      memory.get({}, () => (computed += 1));
      memory.get({}, () => (computed += 1));
      expect(computed, `${kind} ${text}`).toBe(2);
    }
  });
});
