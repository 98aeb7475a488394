// Expressions and inline text in playbooks are Liquid (liquidjs), evaluated without any file system so
// that the same code runs in the simulator and inside deterministic workflow code.
import { Liquid } from 'liquidjs';
import type { Expressions } from '../interpreter/types.js';

export function createExpressions(): Expressions {
  const liquid = new Liquid({ strictFilters: true, strictVariables: false, cache: true });
  return {
    evaluate: (expression, scope) => liquid.evalValueSync(expression, scope) as unknown,
    render: (text, scope) => liquid.parseAndRenderSync(text, scope) as string,
  };
}

/** Parses an expression without running it; returns the error message, or undefined when it parses. */
export function expressionError(expression: string): string | undefined {
  try {
    new Liquid().evalValueSync(expression, {});
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
