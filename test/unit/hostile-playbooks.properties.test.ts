// Hostile YAML for `rapport validate` (fast-check and a corpus): random YAML-ish text, shipped playbooks
// with their fields replaced by wrong types and hostile strings, shipped files cut and spliced, alias
// bombs, nesting thousands of levels deep, documents of megabytes, and unicode that is not text. Each
// file is checked in a worker thread, bounded in time: whatever the text, the answer is "valid" or
// errors that each name `file:line:column` — never an exception, a crash, or a check that does not end.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseYamlText, MAX_YAML_DEPTH } from '../../src/playbook/yaml-text.js';
import { parsePlaybook, PlaybookErrors } from '../../src/playbook/load.js';
import { BoundedWorker, type Bounded } from '../helpers/bounded-worker.js';
import { HostileTally, hostileSeed, hostileString, HOSTILE_STRINGS } from '../helpers/hostile.js';
import type { CheckOutcome, PipelineCheck } from '../helpers/pipeline-check-worker.js';

const PIPELINES = path.resolve(import.meta.dirname, '../../pipelines');
const seed = hostileSeed();
const tally = new HostileTally('playbooks', seed);
/** A check that has not answered in this long does not end. */
const BOUND_MS = 5_000;
/** Documents of megabytes get longer: reading them is linear, but a few MB is a few MB. */
const LARGE_BOUND_MS = 20_000;
/** A test waits for its case's bound, and for a worker to start after a hang. */
const CASE_TIMEOUT = LARGE_BOUND_MS + 15_000;
const PROPERTY_TIMEOUT = 180_000;
const worker = new BoundedWorker<PipelineCheck, CheckOutcome>(
  new URL('../helpers/pipeline-check-worker.ts', import.meta.url),
  BOUND_MS,
);
const largeWorker = new BoundedWorker<PipelineCheck, CheckOutcome>(
  new URL('../helpers/pipeline-check-worker.ts', import.meta.url),
  LARGE_BOUND_MS,
);
afterAll(async () => {
  await Promise.all([worker.close(), largeWorker.close()]);
  console.log(tally.report());
});

const read = (file: string) => fs.readFileSync(path.join(PIPELINES, file), 'utf8');
const SHIPPED = fs
  .readdirSync(PIPELINES)
  .filter((f) => f.endsWith('.yaml') && f !== 'policy.yaml' && f !== 'org.yaml')
  .sort()
  .map((file) => ({ file, text: read(file) }));
/** A shipped playbook's text, changed by `change`, with its file name. */
const shippedAs = (change: (text: string) => fc.Arbitrary<string>) =>
  fc.constantFrom(...SHIPPED).chain(({ file, text }) => change(text).map((t) => ({ file, text: t })));
/** The other files `rapport validate` reads, each with its schema. */
const OTHER_FILES = [
  { file: 'policy.yaml', schema: 'policy.schema.json', text: read('policy.yaml') },
  { file: 'org.yaml', schema: 'org.schema.json', text: read('org.yaml') },
  ...fs.readdirSync(path.join(PIPELINES, 'sources')).map((f) => ({
    file: `sources/${f}`,
    schema: 'source.schema.json',
    text: read(`sources/${f}`),
  })),
  ...fs.readdirSync(path.join(PIPELINES, 'pools')).map((f) => ({
    file: `pools/${f}`,
    schema: 'pool-input.schema.json',
    text: read(`pools/${f}`),
  })),
];

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const lineCounts = new WeakMap<object, Map<string, number>>();
/** How many lines a text has (counted once per text). */
function linesOf(texts: Record<string, string>, file: string): number {
  let counts = lineCounts.get(texts);
  if (!counts) lineCounts.set(texts, (counts = new Map<string, number>()));
  let n = counts.get(file);
  if (n === undefined) counts.set(file, (n = texts[file]!.split('\n').length));
  return n;
}

/** Why an outcome breaks the property, or undefined when it holds. */
function violation(outcome: Bounded<CheckOutcome>, texts: Record<string, string>): string | undefined {
  if (outcome.kind === 'hang') return `no answer within ${Math.round(outcome.ms)} ms`;
  if (outcome.kind === 'crash') return `the check crashed: ${outcome.error}`;
  const answer = outcome.value;
  if (answer.kind === 'thrown') return `an unexpected exception: ${answer.error}`;
  if (answer.kind === 'valid') return undefined;
  if (!answer.errors.length) return 'errors reported, but none listed';
  for (const e of answer.errors) {
    const text = texts[e.file];
    if (text === undefined) return `an error names a file that was not checked: ${e.message}`;
    const lines = linesOf(texts, e.file);
    if (!Number.isInteger(e.line) || e.line < 1 || e.line > lines + 1)
      return `line ${e.line} outside the file's ${lines} lines: ${e.message}`;
    if (!Number.isInteger(e.column) || e.column < 1 || e.column > text.length + 1)
      return `column ${e.column} outside the file: ${e.message}`;
    if (!e.message.startsWith(`${e.file}:${e.line}:${e.column}: `))
      return `not file:line:column: ${e.message}`;
    if (!e.detail.trim()) return `an error without a message at ${e.file}:${e.line}:${e.column}`;
    if (/Maximum call stack|RangeError|TypeError|is not a function|Cannot read prop/.test(e.detail))
      return `an error that speaks of the implementation: ${e.message}`;
  }
  return undefined;
}

async function holds(check: PipelineCheck, texts: Record<string, string>, large = false): Promise<void> {
  tally.tried(check);
  const outcome = await (large ? largeWorker : worker).run(check);
  const reason = violation(outcome, texts);
  if (reason) tally.fail(reason);
}

const playbook = (file: string, text: string) => holds({ task: 'playbook', file, text }, { [file]: text });

// — YAML-ish text: the tokens YAML gives meaning to, keys a playbook has, and hostile strings.
// prettier-ignore
const YAML_TOKENS = [
  '\n', '\n  ', '\n    ', '- ', ': ', '? ', '[', ']', '{', '}', ', ', '&a ', '*a', '&b ', '*b', '<<: ',
  '!!str ', '!!int ', '!!binary ', '!!set ', '!!omap ', '!!timestamp ', '!custom ', '!<tag:x,2000:y> ',
  '|', '|-', '>+2', '"', "'", '# ', '---\n', '...\n', '%YAML 1.1\n', '%TAG ! tag:x,2000:\n', '\t',
  'playbook', 'stage', 'version', 'enroll', 'on', 'if', 'steps', 'wait', 'waitFor', 'send', 'then',
  'else', 'repeat', 'exit', 'update', 'webhook', 'task', 'id', 'candidate.applied', 'nurture', '3d',
  'P1M', 'true', 'null', '~', '0x1F', '0o17', '.inf', '-.nan', '1e400', '9007199254740993',
  '"\\u0000"', '"\\ud800"', '"\\x00"', '"\\U0001F600"', '__proto__', 'constructor',
];
const yamlish = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...YAML_TOKENS) },
      { weight: 2, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

// — A shipped file's data with fields replaced: wrong types, hostile strings, extra keys, deep values.
const wrong: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileString, { maxLength: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
  fc.anything({ maxDepth: 3 }),
);
function reshaped(value: unknown): fc.Arbitrary<unknown> {
  let own: fc.Arbitrary<unknown>;
  if (Array.isArray(value)) own = fc.tuple(...value.map(reshaped));
  else if (isRecord(value)) {
    const fields = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reshaped(v)]));
    own = fc
      .tuple(fc.record(fields), fc.dictionary(hostileString, wrong, { maxKeys: 1 }))
      .map(([kept, extra]) => ({ ...kept, ...extra }));
  } else if (typeof value === 'string')
    own = fc.oneof({ weight: 3, arbitrary: fc.constant(value) }, hostileString);
  else own = fc.constant(value);
  return fc.oneof({ weight: 8, arbitrary: own }, { weight: 1, arbitrary: wrong });
}
/** The value as YAML, or as JSON (which YAML reads too). */
const written = (value: unknown, json: boolean) => {
  try {
    return json ? (JSON.stringify(value) ?? 'null') : stringify(value);
  } catch {
    return JSON.stringify(String(value));
  }
};
const reshapedText = (text: string) =>
  fc
    .tuple(reshaped(parseYamlText('x.yaml', text).data), fc.boolean())
    .map(([value, json]) => written(value, json));

// — A shipped file cut and spliced: a stretch deleted, hostile text or YAML put in its place.
const spliced = (text: string) =>
  fc
    .array(
      fc.record({
        at: fc.nat(text.length),
        cut: fc.nat(40),
        put: fc.oneof(fc.constantFrom(...YAML_TOKENS), hostileString),
      }),
      { minLength: 1, maxLength: 5 },
    )
    .map((edits) =>
      edits.reduce(
        (t, { at, cut, put }) => t.slice(0, Math.min(at, t.length)) + put + t.slice(at + cut),
        text,
      ),
    );

const runs = (numRuns: number) => ({ seed, numRuns });

describe('a playbook of any text', () => {
  it(
    'is valid or reported as errors at file:line:column, within its time bound',
    async () => {
      await fc.assert(
        fc.asyncProperty(yamlish, (text) => playbook('demo.yaml', text)),
        runs(1000),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'is valid or reported at file:line:column when shipped playbooks get wrong types and hostile strings',
    async () => {
      await fc.assert(
        fc.asyncProperty(shippedAs(reshapedText), ({ file, text }) => playbook(file, text)),
        runs(500),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'is reported at file:line:column when shipped playbooks are cut and spliced',
    async () => {
      await fc.assert(
        fc.asyncProperty(shippedAs(spliced), ({ file, text }) => playbook(file, text)),
        runs(600),
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('the other pipeline files of any text', () => {
  const other = fc
    .constantFrom(...OTHER_FILES)
    .chain((f) =>
      fc
        .oneof(yamlish, reshapedText(f.text), spliced(f.text))
        .map((text) => ({ file: f.file, schema: f.schema, text })),
    );

  it(
    'are valid or reported at file:line:column: policy, organisation, sources, pools',
    async () => {
      await fc.assert(
        fc.asyncProperty(other, ({ file, schema, text }) =>
          holds({ task: 'file', file, schema, text }, { [file]: text }),
        ),
        runs(500),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'make `rapport validate` of a whole folder report errors, never throw',
    async () => {
      const playbookText = fc.constantFrom(...SHIPPED).chain((s) => fc.oneof(yamlish, spliced(s.text)));
      const folder = fc
        .tuple(other, playbookText)
        .map(([f, text]): Record<string, string> => ({ [f.file]: f.text, 'demo.yaml': text }));
      await fc.assert(
        fc.asyncProperty(folder, (files) => holds({ task: 'pipelines', files }, files)),
        runs(100),
      );
    },
    PROPERTY_TIMEOUT,
  );
});

// — The corpus: what exhausts YAML readers, each case by name.
const laughs = (levels: number, width: number) => {
  const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `l${i}: &l${i} [${Array(width)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return lines.join('\n');
};
const HEAD = 'playbook: demo\nstage: engage\nversion: 1\nenroll: { on: [candidate.applied] }\n';
const nestedSteps = (levels: number) => {
  let step = '{ wait: 1d }';
  for (let i = 0; i < levels; i++) step = `{ if: "true", then: [${step}], else: [{ wait: 2d }] }`;
  return `${HEAD}steps: [${step}]\n`;
};
const blockMaps = (levels: number) =>
  Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n';
const aliasChain = (links: number) => {
  const lines = [`${HEAD}a0: &a0 ${'['.repeat(60)}x${']'.repeat(60)}`];
  for (let i = 1; i < links; i++) lines.push(`a${i}: &a${i} ${'['.repeat(60)}*a${i - 1}${']'.repeat(60)}`);
  return `${lines.join('\n')}\nsteps: [{ wait: 1d }]\n`;
};
const MB = 1024 * 1024;
const manySteps = (bytes: number, step = '  - wait: 1d\n') => {
  return `${HEAD}steps:\n${step.repeat(Math.ceil(bytes / step.length))}`;
};
const unicodePlaybook = (s: string) =>
  `${HEAD}title: ${JSON.stringify(s)}\nsteps:\n  - id: ${JSON.stringify(s)}\n    send: ${JSON.stringify(s)}\n`;

// prettier-ignore
const CORPUS: [string, string][] = [
  ['a billion laughs (9 × 9 aliases)', laughs(9, 9)],
  ['a billion laughs of maps', 'a: &a {x: 1, y: 1}\nb: &b {a1: *a, a2: *a, a3: *a, a4: *a}\nc: &c {b1: *b, b2: *b, b3: *b, b4: *b}\nd: &d {c1: *c, c2: *c, c3: *c, c4: *c}\ne: [*d, *d, *d, *d, *d, *d, *d, *d]\n'],
  ['aliases merged with <<', 'a: &a {x: 1}\nb: &b {<<: *a, y: *a}\nc: {<<: [*a, *b], z: [*b, *b]}\n'],
  ['an alias of its own anchor', 'a: &a [*a, *a]\n'],
  ['an alias of no anchor', `${HEAD}steps: [*nothing]\n`],
  ['an alias used as a map key', 'a: &a [1, 2]\n? *a\n: x\n'],
  ['a chain of aliases that nest 60 levels each', aliasChain(50)],
  ['10,000 aliases of one scalar', `a: &a x\nb: [${Array(10_000).fill('*a').join(', ')}]\n`],
  ['a list nested 100,000 levels deep', `${HEAD}steps: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`],
  ['a map nested 20,000 levels deep', `${HEAD}title: ${'{a: '.repeat(20_000)}1${'}'.repeat(20_000)}\n`],
  ['block maps nested 3,000 levels deep', blockMaps(3_000)],
  ['block lists nested 50,000 levels deep', `${'- '.repeat(50_000)}x\n`],
  [`if steps nested ${MAX_YAML_DEPTH / 2 - 2} levels deep (within the bound)`, nestedSteps(MAX_YAML_DEPTH / 2 - 2)],
  ['if steps nested 1,000 levels deep', nestedSteps(1_000)],
  ['a key nested in a key', '? ? ? [a]\n  : b\n: c\n: d\n'],
  ['a 600 KiB playbook (over the limit)', manySteps(600 * 1024)],
  ['a 500 KiB playbook of 40,000 steps', manySteps(500 * 1024)],
  ['a 500 KiB playbook of 40,000 broken steps', manySteps(500 * 1024, '  - wait: 5\n')],
  ['a 3 MB line', `${HEAD}title: ${'x'.repeat(3 * MB)}\n`],
  ['right-to-left overrides', unicodePlaybook('\u202eelif.exe\u202c')],
  ['combining marks', unicodePlaybook('Z\u0351\u0352\u0353a'.repeat(500))],
  ['lone surrogates', `${HEAD}title: "\\ud800 \\udfff"\nsteps: [{ wait: "\ud800" }]\n`],
  ['NUL in the text and in escapes', `${HEAD}title: "\\0 \\x00"\nsteps: [{ wait: "1d\u0000" }]\n\u0000`],
  ['a byte order mark and zero-width spaces', `\ufeff${HEAD}\u200bsteps: [{ wait: 1d }]\n`],
  ['control characters', `${HEAD}title: "\u0001\u0002\u0003\u001b[31m"\nsteps: [{ wait: 1d }]\n`],
  ['YAML 1.1 types', `%YAML 1.1\n---\n${HEAD}title: !!binary aGVsbG8=\nowner: !!timestamp 2001-12-14\nsteps: !!set {a, b}\ngoal: !!omap [a: 1]\n`],
  ['unknown tags', `${HEAD}title: !js/function "function () {}"\nsteps: !<tag:yaml.org,2002:js/undefined> x\n`],
  ['prototype keys', `${HEAD}__proto__: { polluted: true }\nconstructor: { prototype: { polluted: true } }\nsteps: [{ wait: 1d, __proto__: { send: x } }]\n`],
  ['duplicate keys', `${HEAD}steps: [{ wait: 1d }]\nsteps: [{ wait: 2d }]\n`],
  ['several documents', `${HEAD}steps: [{ wait: 1d }]\n---\n${HEAD}`],
  ['tabs as indentation', `${HEAD}steps:\n\t- wait: 1d\n`],
  ['only a comment', '# nothing\n'],
  ['nothing at all', ''],
  ['numbers too large and too precise', `${HEAD.replace('version: 1', 'version: 1e400')}steps: [{ repeat: { times: 9007199254740993, every: 1d, steps: [{ wait: 1d }] } }]\n`],
  ['every hostile string as a value', `${HEAD}steps:\n${HOSTILE_STRINGS.map((s) => `  - wait: ${JSON.stringify(s)}`).join('\n')}\n`],
  ['every hostile string as a key', `${HEAD}steps: [{ wait: 1d }]\n${HOSTILE_STRINGS.map((s, i) => `${JSON.stringify(s + i)}: x`).join('\n')}\n`],
];

describe('a playbook from the corpus of what exhausts YAML readers', () => {
  it.each(CORPUS)(
    '%s: is valid or reported at file:line:column, within its time bound',
    async (_, text) => {
      await holds({ task: 'playbook', file: 'demo.yaml', text }, { 'demo.yaml': text }, true);
    },
    CASE_TIMEOUT,
  );

  it.each(CORPUS)(
    '%s: as the contact policy, is reported at file:line:column',
    async (_, text) => {
      const check = { task: 'file' as const, file: 'policy.yaml', schema: 'policy.schema.json', text };
      await holds(check, { 'policy.yaml': text }, true);
    },
    CASE_TIMEOUT,
  );

  it(
    'a 3 MB source mapping is read within its bound and reported at file:line:column',
    async () => {
      const text = `source: demo\nevents:\n${'  - { when: "true", type: candidate.applied, candidate: { email: x } }\n'.repeat(45_000)}`;
      expect(text.length).toBeGreaterThan(3 * MB);
      const check = { task: 'file' as const, file: 'sources/demo.yaml', schema: 'source.schema.json', text };
      await holds(check, { 'sources/demo.yaml': text }, true);
    },
    CASE_TIMEOUT,
  );
});

describe('the YAML reader’s bounds', () => {
  const errorsOf = (text: string) => {
    try {
      parsePlaybook('demo.yaml', text);
      return [];
    } catch (error) {
      if (error instanceof PlaybookErrors) return error.errors.map((e) => e.message);
      throw error;
    }
  };

  it('refuses an alias bomb at its first alias, naming the expansion', () => {
    expect(errorsOf(laughs(9, 9))).toEqual([
      'demo.yaml:2:10: YAML aliases expand too much (Excessive alias count indicates a resource exhaustion attack); write the values out',
    ]);
  });

  it(`refuses maps and lists nested more than ${MAX_YAML_DEPTH} levels at the first one too deep`, () => {
    const text = `${HEAD}title: ${'['.repeat(MAX_YAML_DEPTH + 1)}${']'.repeat(MAX_YAML_DEPTH + 1)}\n`;
    expect(errorsOf(text)).toEqual([
      `demo.yaml:5:${7 + MAX_YAML_DEPTH}: maps and lists nest more than ${MAX_YAML_DEPTH} levels deep; flatten them`,
    ]);
  });

  it('refuses nesting 100,000 levels deep at the first level too deep, before building it', () => {
    const text = `${HEAD}title: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    expect(errorsOf(text)).toEqual([
      `demo.yaml:5:${7 + MAX_YAML_DEPTH}: maps and lists nest more than ${MAX_YAML_DEPTH} levels deep; flatten them`,
    ]);
  });

  it('reads maps and lists nested exactly to the bound', () => {
    const data = parseYamlText('x.yaml', `${'['.repeat(MAX_YAML_DEPTH)}1${']'.repeat(MAX_YAML_DEPTH)}`);
    expect(data.errors).toEqual([]);
  });

  it('refuses an alias of no anchor, and a map as a key, where they are written', () => {
    expect(errorsOf(`${HEAD}steps: [*nothing]\n`)).toEqual([
      'demo.yaml:5:9: the alias *nothing names no anchor (&nothing) before it',
    ]);
    expect(errorsOf(`${HEAD}? [a, b]\n: x\n`)).toEqual([
      'demo.yaml:5:3: a key must be text, not a map or a list',
    ]);
  });

  it(
    'checks if steps nested 25 levels deep within the time bound (each step once)',
    async () => {
      // Checked whole, every level doubled the work: 25 levels took minutes.
      const text = nestedSteps(25);
      const outcome = await worker.run({ task: 'playbook', file: 'demo.yaml', text });
      expect(outcome).toMatchObject({ kind: 'answered', value: { kind: 'valid' } });
    },
    CASE_TIMEOUT,
  );

  it(
    'reports 40,000 broken steps, each at its line, within the time bound',
    async () => {
      // Checked whole, the work grew with the square of the errors: this took hours.
      const text = manySteps(500 * 1024, '  - wait: 5\n');
      const outcome = await largeWorker.run({ task: 'playbook', file: 'demo.yaml', text });
      expect(outcome.kind).toBe('answered');
      const errors =
        outcome.kind === 'answered' && outcome.value.kind === 'errors' ? outcome.value.errors : [];
      expect(errors.length).toBeGreaterThan(40_000);
      expect(errors[1]!.message).toBe('demo.yaml:7:11: must be string or object (at /steps/1/wait)');
    },
    CASE_TIMEOUT,
  );
});
