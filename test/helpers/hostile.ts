// Hostile input for the hostile-input suite: a corpus of strings that have broken other systems (Liquid
// and template syntax, environment references, web addresses, CR/LF, HTML and script, path traversal,
// unicode that reads backwards, combines or is not text at all, very long text), fast-check arbitraries
// over them, the seed each run uses (printed, and replayed with HOSTILE_SEED=<seed>), and the tally
// each suite prints at its end.
import fc from 'fast-check';

/** Strings each field of a request, payload, playbook or template scope is tried with. */
export const HOSTILE_STRINGS: readonly string[] = [
  // Liquid and template syntax: printed as text, never run.
  '{{ org.name }}',
  '{% raw %}',
  '{%- endraw -%}{{',
  "{{ 'x' | append: env.SMTP_URL }}",
  "{% include 'layouts/default' %}",
  "{% layout 'layouts/default' %}",
  '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
  '{{ candidate | json }}',
  '{{ unsubscribe_url }}{{ links.rsvp_yes }}',
  '{{env:SMTP_URL}}',
  '\u0000env:SMTP_URL\u0000',
  '${process.env.SMTP_URL}',
  '#{7*7}<%= 7*7 %>',
  // Web addresses: text, never a link made of data.
  'https://evil.example/login',
  'Ada https://evil.example/reset?token=1&next=%2F',
  'http://127.0.0.1:8233/namespaces/default',
  'javascript:alert(1)',
  '//evil.example/x',
  'www.evil.example',
  'file:///etc/passwd',
  // Header injection: CR/LF and the other line breaks.
  'Ada\r\nBcc: victim@example.com',
  'Subject\nX-Injected: 1',
  '\r',
  '\n\n\n',
  'line\u2028separator\u2029paragraph\u0085next',
  // HTML and script.
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '<a href="https://evil.example">click</a>',
  '&amp;&lt;&#x3C;&#60;',
  "'; drop table candidates; --",
  // Path traversal and ids that are not.
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '..\\..\\windows\\win.ini',
  'a%00b',
  '/',
  '.',
  // Unicode: backwards, combining, invisible, not text.
  '\u202eevil.exe\u202dtxt.pdf',
  'Z\u0351\u0352\u0353\u0354\u0355\u0356a\u0357\u0358\u0359\u035a\u035b\u035c\u035dl\u035e\u035f\u0360\u0361go',
  '\ufeffAda\u200b\u200d',
  'Ada \ud83d\udc69\u200d\ud83d\udcbb',
  '\ud800',
  'lone \udfff surrogate',
  '\u0000',
  'Ada\u0000Lovelace',
  '\u0002marked\u0003',
  '\u001b[31mred\u001b[0m',
  '\t\v\f',
  // Shapes other parsers trip on.
  '__proto__',
  'constructor',
  '{"$ne": null}',
  '1e309',
  'NaN',
  '-0',
  '%s%s%s%n',
  '',
  ' ',
  'x'.repeat(10_000),
];

/** A value a template scope holds and no template prints: seeing it in a message means data ran as Liquid. */
export const SCOPE_CANARY = 'CANARY-EVALUATED-7f3a';
/** An environment variable's name and value: seeing the value in output means data read the environment. */
export const ENV_CANARY_NAME = 'RAPPORT_HOSTILE_CANARY';
export const ENV_CANARY = 'ENV-LEAKED-91c2';

/** Code units that are not text (NUL, controls, lone surrogates) or change how text reads. */
const ODD_UNITS = [
  '\u0000',
  '\u0002',
  '\u0003',
  '\r',
  '\n',
  '\u2028',
  '\ud800',
  '\udc00',
  '\u202e',
  '\u0301',
  '\ufeff',
];

/** One hostile string: from the corpus, a random one, or a mix of both. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...ODD_UNITS), maxLength: 8 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ maxLength: 6 })), { maxLength: 4 })
      .map((parts) => parts.join('')),
  },
);

/** A lone surrogate: half of a UTF-16 pair without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A hostile string PostgreSQL can store (no NUL, no lone surrogate): what gets past the API's door to
 * the handlers and the database behind it.
 */
export const storableHostileString: fc.Arbitrary<string> = hostileString.map((s) =>
  s.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd'),
);

/** The seed `npm test` uses, so that every run of the suite tries the same cases. */
const DEFAULT_SEED = 20261207;

/**
 * The seed of this run, printed by the tally: HOSTILE_SEED=<n> to replay a run, HOSTILE_SEED=random for
 * new cases; else DEFAULT_SEED.
 */
export function hostileSeed(): number {
  if (process.env.HOSTILE_SEED === 'random') return Math.floor(Math.random() * 2 ** 31) + 1;
  const given = Number(process.env.HOSTILE_SEED);
  return Number.isInteger(given) && given !== 0 ? given : DEFAULT_SEED;
}

/** How many cases a suite tried and how many broke a property, printed once at its end. */
export class HostileTally {
  cases = 0;
  failures = 0;

  constructor(
    readonly suite: string,
    readonly seed: number,
  ) {}

  /** Counts one case; returns it, so a property reads `tally.tried(input)`. */
  tried<T>(input: T): T {
    this.cases++;
    return input;
  }

  /** Counts one case that broke a property, and throws the reason. */
  fail(reason: string): never {
    this.failures++;
    throw new Error(reason);
  }

  report(): string {
    return `hostile input (${this.suite}): ${this.cases} cases, ${this.failures} failures, seed ${this.seed} (HOSTILE_SEED=${this.seed} replays it)`;
  }
}
