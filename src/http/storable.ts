// What PostgreSQL can store, checked at the door of every JSON body (the API's and the source webhooks'):
// text without NUL characters and without lone surrogates (a JSON `\ud800` without its pair is no
// character, and a jsonb column refuses it), nested at most MAX_JSON_DEPTH levels (deeper, storing it
// or rendering it would exhaust the stack). A body that breaks these is refused whole, naming each field.
import type { FieldError } from '../schemas/index.js';

/** How deep a JSON body's objects and lists may nest; an ATS payload needs about ten levels. */
export const MAX_JSON_DEPTH = 64;

export const NUL = 'must not contain NUL characters (\\u0000)';
export const LONE_SURROGATE = 'must be Unicode text: a lone surrogate (\\ud800–\\udfff) is no character';
export const TOO_DEEP = `nests more than ${MAX_JSON_DEPTH} levels of objects and lists`;

/** A high surrogate without the low one after it, or a low one without the high one before it. */
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL cannot store a text, if it cannot. */
export function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return NUL;
  if (LONE.test(text)) return LONE_SURROGATE;
  return undefined;
}

const MAX_ERRORS = 20;

/**
 * The fields of a parsed JSON body that cannot be stored, by JSON pointer (the first twenty). Walked
 * with a stack of its own, so that no nesting can exhaust the call stack.
 */
export function unstorableFields(body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  type Pending = { value: unknown; at: string; depth: number };
  const pending: Pending[] = [{ value: body, at: '', depth: 0 }];
  for (let next = pending.pop(); next && errors.length < MAX_ERRORS; next = pending.pop()) {
    const { value, at, depth } = next;
    if (typeof value === 'string') {
      const problem = unstorableText(value);
      if (problem) errors.push({ pointer: at || '/', message: problem });
      continue;
    }
    if (!value || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      errors.push({ pointer: at || '/', message: TOO_DEEP });
      continue;
    }
    // Members go on the stack last first, so that they come off it in the body's order; a key that
    // cannot be stored is reported for its member, whose value is then not looked at.
    const members: [string, unknown][] = Object.entries(value as Record<string, unknown>);
    for (let i = members.length - 1; i >= 0; i--) {
      const [key, item] = members[i]!;
      const here = `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      const problem = unstorableText(key);
      pending.push(problem ? { value: key, at: here, depth } : { value: item, at: here, depth: depth + 1 });
    }
  }
  return errors;
}
