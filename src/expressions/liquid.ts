// Expressions and inline text in playbooks are Liquid (liquidjs), evaluated without any file system so
// that the same code runs in the simulator and inside deterministic workflow code.
import { Liquid } from 'liquidjs';
import type { Expressions } from '../interpreter/types.js';
import { registerFilters } from './filters.js';

export function createExpressions(): Expressions {
  const liquid = registerFilters(new Liquid({ strictFilters: true, strictVariables: false, cache: true }));
  return {
    evaluate: (expression, scope) => liquid.evalValueSync(expression, scope) as unknown,
    render: (text, scope) => liquid.parseAndRenderSync(text, scope) as string,
  };
}
