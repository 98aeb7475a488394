// Structural validation of a playbook against schemas/playbook.schema.json. A step is checked against
// the schema of its own verb, so that a mistake in a step is reported as what it is ("timeout is
// required") rather than as "matches none of the step forms".
import { VERBS } from '../interpreter/steps.js';
import type { FieldError } from '../schemas/index.js';
import { validate, validateAt } from '../schemas/index.js';

const SCHEMA = 'playbook.schema.json';
const ID_REQUIRED =
  '"id" is required on send, waitFor and task steps, so that numbers and migrations can name them';
const NESTED = /^\/(then|else|repeat\/steps)\/\d+(\/|$)/;

export function structuralErrors(data: unknown): FieldError[] {
  const whole = validate(SCHEMA, data);
  if (whole.ok) return [];
  const errors = whole.errors.filter((e) => !/^\/steps\/\d+(\/|$)/.test(e.pointer));
  const steps = (data as { steps?: unknown } | null)?.steps;
  if (Array.isArray(steps)) steps.forEach((s, i) => errors.push(...stepErrors(s, `/steps/${i}`)));
  return errors;
}

function stepErrors(value: unknown, pointer: string): FieldError[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ pointer, message: `must be a step: a map with one of ${VERBS.join(', ')}` }];
  }
  const verbs = VERBS.filter((v) => v in value);
  if (verbs.length !== 1) {
    const found = verbs.length
      ? `found ${verbs.join(' and ')}`
      : `found ${Object.keys(value).join(', ') || 'nothing'}`;
    return [{ pointer, message: `a step needs exactly one verb (${VERBS.join(', ')}); ${found}` }];
  }
  const verb = verbs[0]!;
  const result = validateAt(SCHEMA, `#/$defs/step/oneOf/${VERBS.indexOf(verb)}`, value);
  const own = result.ok
    ? []
    : result.errors.filter((e) => !NESTED.test(e.pointer) || /^\/(then|else|repeat\/steps)$/.test(e.pointer));
  const errors = own.map((e) => ({
    pointer: `${pointer}${e.pointer === '/' ? '' : e.pointer}`,
    message: e.pointer === '/id' && e.message.endsWith('is required') ? ID_REQUIRED : e.message,
  }));
  const record = value as Record<string, unknown>;
  const lists: [string, unknown][] = [
    ['then', record.then],
    ['else', record.else],
    ['repeat/steps', (record.repeat as { steps?: unknown } | undefined)?.steps],
  ];
  for (const [key, list] of lists) {
    if (Array.isArray(list)) list.forEach((s, i) => errors.push(...stepErrors(s, `${pointer}/${key}/${i}`)));
  }
  return errors;
}
