// Liquid output depends only on the values a text reads, so a text read with the same values again can
// answer from memory: a simulation renders the same subject lines and evaluates the same conditions for
// thousands of candidates. Only texts whose answer cannot depend on anything else are remembered: no
// tags (partials, counters, cycles), no `date` filter (it can read the clock), and only plain variable
// paths (`candidate.first_name`, not `a[b]`). Rapport's own filters are pure (filters.ts).
import type { Liquid } from 'liquidjs';

type Path = readonly (string | number)[];

// Per text: a workflow worker shares one memory across its workflows, so it stays small.
const MAX_ENTRIES = 1000;
/** Scopes are JSON-like data: undefined can only be a missing value, never one inside a list. */
const UNDEFINED = '\u0000';

export interface Remembered<T> {
  /** The answer for this scope: from memory when the values read are the same as before. */
  get(scope: Record<string, unknown>, compute: () => T): T;
}

/**
 * A memory for one Liquid text: a template (`Hello {{ candidate.first_name }}`) or an expression
 * (`event.data.round >= 2`). Answers pass through when the text cannot be remembered.
 */
export function remembered<T>(
  liquid: Liquid,
  kind: 'template' | 'expression',
  source: string,
): Remembered<T> {
  const paths = readPaths(liquid, kind === 'template' ? source : `{{ ${source} }}`);
  if (!paths) return { get: (_scope, compute) => compute() };
  const answers = new Map<string, T>();
  return {
    get(scope, compute) {
      const key = keyOf(scope, paths);
      if (key === undefined) return compute();
      if (answers.has(key)) return answers.get(key)!;
      const answer = compute();
      // Objects could be changed by whoever receives them: only plain answers are kept.
      if (answer === null || typeof answer !== 'object') {
        if (answers.size >= MAX_ENTRIES) answers.clear();
        answers.set(key, answer);
      }
      return answer;
    },
  };
}

/** The values read, as text; undefined when they cannot be written down (a cycle). */
function keyOf(scope: Record<string, unknown>, paths: Path[]): string | undefined {
  let key = '';
  try {
    for (const path of paths) {
      const value = valueAt(scope, path);
      key += `${value === undefined ? UNDEFINED : JSON.stringify(value)}\u0001`;
    }
  } catch {
    return undefined;
  }
  return key;
}

/** The global variable paths a template reads, or undefined when its answer may depend on more. */
function readPaths(liquid: Liquid, text: string): Path[] | undefined {
  if (text.includes('{%') || /\|\s*date\b/.test(text)) return undefined;
  let segments: unknown[][];
  try {
    segments = liquid.globalVariableSegmentsSync(text);
  } catch {
    return undefined;
  }
  const plain = segments.every((s) =>
    s.every((part) => typeof part === 'string' || typeof part === 'number'),
  );
  return plain ? (segments as Path[]) : undefined;
}

/**
 * The value at `path`, descending through plain objects only: below an array, a string or any other
 * value, Liquid may read special properties (`size`, `first`), so that whole value is what counts.
 */
function valueAt(scope: Record<string, unknown>, path: Path): unknown {
  let value: unknown = scope;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return value;
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return value;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
