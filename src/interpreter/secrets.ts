// Secrets in webhook steps. `{{ env.NAME }}` renders as a reference, NUL `env:NAME` NUL, that only the
// webhook activity resolves, from the worker's environment, when it calls: secrets never enter journey
// state, workflow history or the timeline. NUL is the one character no candidate or event field can hold
// (PostgreSQL text and jsonb refuse it), and it is removed from every string of the scope a webhook is
// rendered with all the same, so only the playbook's own `{{ env.NAME }}` makes a reference: data is
// always data, and reaches the webhook's target as the text it is.

/** Opens and closes a secret reference. */
export const REFERENCE_MARK = '\u0000';

/** The reference to the environment variable `name` that a webhook step carries. */
export function secretReference(name: string): string {
  return `${REFERENCE_MARK}env:${name}${REFERENCE_MARK}`;
}

/** Every reference in a rendered text; the name is group 1. */
// eslint-disable-next-line no-control-regex -- NUL is the reference's delimiter
export const SECRET_REFERENCE = /\u0000env:([^\u0000]*)\u0000/g;

/** `env` in the scope of webhook fields: every `env.NAME` is its reference. */
export const SECRET_REFERENCES: Readonly<Record<string, string>> = new Proxy(
  {},
  {
    get: (_target, key) => (typeof key === 'string' ? secretReference(key) : undefined),
    has: () => true,
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === 'string'
        ? { value: secretReference(key), enumerable: true, configurable: true }
        : undefined,
  },
);

/**
 * The value with the reference mark removed from every string (and key) of its plain objects and lists,
 * so that no value can make a reference. Other values (dates, proxies) are left as they are, and so is
 * any object or list in which nothing changed.
 */
export function inert<T>(value: T): T {
  if (typeof value === 'string') return (value.includes(REFERENCE_MARK) ? withoutMarks(value) : value) as T;
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => inert(item));
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]) => {
    const pair: [string, unknown] = [inert(key), inert(item)];
    if (pair[0] !== key || pair[1] !== item) changed = true;
    return pair;
  });
  return changed ? (Object.fromEntries(entries) as T) : value;
}

function withoutMarks(text: string): string {
  return text.replaceAll(REFERENCE_MARK, '');
}

/** A rendered text as people read it: each reference as `{{ env.NAME }}`, never a secret, never NUL. */
export function readableReferences(text: string): string {
  return withoutMarks(text.replace(SECRET_REFERENCE, (_, name: string) => `{{ env.${name} }}`));
}
