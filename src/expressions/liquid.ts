// Expressions and inline text in playbooks are Liquid (liquidjs), evaluated without any file system so
// that the same code runs in the simulator and inside deterministic workflow code. Parsed expressions
// and texts are kept, since journeys evaluate the same few over and over.
import { Context, Liquid, toValueSync, Value, type Template } from 'liquidjs';
import type { Expressions } from '../interpreter/types.js';
import { registerFilters } from './filters.js';

export function createExpressions(): Expressions {
  const liquid = registerFilters(new Liquid({ strictFilters: true, strictVariables: false, cache: true }));
  const values = new Map<string, Value>();
  const texts = new Map<string, Template[]>();
  return {
    evaluate(expression, scope) {
      let value = values.get(expression);
      if (!value) {
        value = new Value(expression, liquid);
        values.set(expression, value);
      }
      return toValueSync(value.value(new Context(scope, liquid.options, {}, { liquid }), false));
    },
    render(text, scope) {
      let template = texts.get(text);
      if (!template) {
        template = liquid.parse(text);
        texts.set(text, template);
      }
      return liquid.renderSync(template, scope) as string;
    },
  };
}
