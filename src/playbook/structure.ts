// Structural validation of a playbook against schemas/playbook.schema.json. A step is checked against
// the schema of its own verb, so that a mistake in a step is reported as what it is ("timeout is
// required") rather than as "matches none of the step forms". Each step is checked once, on its own,
// with the steps nested in it stood in for by a valid one: checked whole, a step nested n branches deep
// would be checked 2^n times (every form that nests steps — if, waitFor — checks them), and ajv's
// `oneOf` with all errors collected slows down with the square of the errors, so a few dozen levels,
// or a few thousand broken steps, would never finish.
import { VERBS } from '../interpreter/steps.js';
import type { FieldError } from '../schemas/index.js';
import { validate, validateAt } from '../schemas/index.js';

const SCHEMA = 'playbook.schema.json';
const ID_REQUIRED =
  '"id" is required on send, waitFor and task steps, so that numbers and migrations can name them';
const NESTED = /^\/(then|else|repeat\/steps)\/\d+(\/|$)/;

type Record_ = Record<string, unknown>;
const isRecord = (value: unknown): value is Record_ =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
/** A list of steps with each step replaced by a valid one: the list is checked, its steps are not. */
const placeholders = (list: unknown) => (Array.isArray(list) ? list.map(() => ({ wait: '1d' })) : list);

export function structuralErrors(data: unknown): FieldError[] {
  const steps = isRecord(data) && Array.isArray(data.steps) ? data.steps : undefined;
  const top = steps ? { ...(data as Record_), steps: placeholders(steps) } : data;
  const whole = validate(SCHEMA, top);
  // The defaults the schema applies (`for`, `enroll.reentry`) are the playbook's.
  if (steps) Object.assign(data as Record_, top, { steps });
  const errors = whole.ok ? [] : whole.errors.filter((e) => !/^\/steps\/\d+(\/|$)/.test(e.pointer));
  if (steps) steps.forEach((s, i) => errors.push(...stepErrors(s, `/steps/${i}`)));
  return errors;
}

function stepErrors(value: unknown, pointer: string): FieldError[] {
  if (!isRecord(value)) {
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
  const repeat = value.repeat;
  const alone = {
    ...value,
    ...('then' in value ? { then: placeholders(value.then) } : {}),
    ...('else' in value ? { else: placeholders(value.else) } : {}),
    ...(isRecord(repeat) && 'steps' in repeat
      ? { repeat: { ...repeat, steps: placeholders(repeat.steps) } }
      : {}),
  };
  const result = validateAt(SCHEMA, `#/$defs/step/oneOf/${VERBS.indexOf(verb)}`, alone);
  const own = result.ok
    ? []
    : result.errors.filter((e) => !NESTED.test(e.pointer) || /^\/(then|else|repeat\/steps)$/.test(e.pointer));
  const errors = own.map((e) => ({
    pointer: `${pointer}${e.pointer === '/' ? '' : e.pointer}`,
    message: e.pointer === '/id' && e.message.endsWith('is required') ? ID_REQUIRED : e.message,
  }));
  const lists: [string, unknown][] = [
    ['then', value.then],
    ['else', value.else],
    ['repeat/steps', isRecord(repeat) ? repeat.steps : undefined],
  ];
  for (const [key, list] of lists) {
    if (Array.isArray(list)) list.forEach((s, i) => errors.push(...stepErrors(s, `${pointer}/${key}/${i}`)));
  }
  return errors;
}
