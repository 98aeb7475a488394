// Expressions and inline text in playbooks are Liquid (liquidjs), evaluated without any file system so
// that the same code runs in the simulator and inside deterministic workflow code. Parsed expressions
// and texts are kept, since journeys evaluate the same few over and over; so are the answers of
// expressions, by the values they read (remember.ts).
import {
  AssertionError,
  Context,
  Liquid,
  LiquidError,
  toValueSync,
  Value,
  type FilterImplOptions,
  type Template,
} from 'liquidjs';
import { ExpressionFailure } from '../interpreter/failure.js';
import { inert } from '../interpreter/secrets.js';
import type { Expressions } from '../interpreter/types.js';
import { registerFilters } from './filters.js';
import { remembered, type Remembered } from './remember.js';

export function createExpressions(): Expressions {
  const liquid = withoutDecodedNul(
    registerFilters(new Liquid({ strictFilters: true, strictVariables: false, cache: true })),
  );
  const values = new Map<string, { value: Value; memory: Remembered<unknown> }>();
  const texts = new Map<string, Template[]>();
  return {
    evaluate: (expression, scope) => failingAsJourney(() => evaluate(expression, scope)),
    render: (text, scope) => failingAsJourney(() => render(text, scope)),
  };

  function evaluate(expression: string, scope: Record<string, unknown>): unknown {
    let parsed = values.get(expression);
    if (!parsed) {
      parsed = {
        value: new Value(expression, liquid),
        memory: remembered(liquid, 'expression', expression),
      };
      values.set(expression, parsed);
    }
    const { value, memory } = parsed;
    return memory.get(scope, () =>
      toValueSync(value.value(new Context(scope, liquid.options, {}, { liquid }), false)),
    );
  }

  function render(text: string, scope: Record<string, unknown>): string {
    let template = texts.get(text);
    if (!template) {
      template = liquid.parse(text);
      texts.set(text, template);
    }
    return liquid.renderSync(template, scope) as string;
  }
}

/** Liquid's own errors (syntax, an unknown filter, a failed filter) are the journey's; others are bugs. */
function failingAsJourney<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof LiquidError || error instanceof AssertionError)
      throw new ExpressionFailure(error.message, { cause: error });
    throw error;
  }
}

/**
 * The filters that decode text (`url_decode`, `base64_decode`) give it without NUL, as every value of
 * a webhook's scope is: what they decode from data cannot make a secret reference
 * (src/interpreter/secrets.ts).
 */
function withoutDecodedNul(liquid: Liquid): Liquid {
  for (const name of ['url_decode', 'base64_decode']) {
    const decode = liquid.filters[name] as Extract<FilterImplOptions, (...args: never[]) => unknown>;
    liquid.registerFilter(name, function (this: ThisParameterType<typeof decode>, ...args: unknown[]) {
      return inert<unknown>(decode.apply(this, args as Parameters<typeof decode>));
    });
  }
  return liquid;
}
