// Every step of a definition by name (its id, or its position), with its verb: what migrations match on.
import { stepName } from './step.js';
import type { PlaybookDefinition, Step } from './types.js';

/** Every verb, in the order of the step forms in schemas/playbook.schema.json (`#/$defs/step/oneOf`). */
export const VERBS = [
  'send',
  'wait',
  'waitFor',
  'if',
  'update',
  'task',
  'enroll',
  'find',
  'webhook',
  'repeat',
  'exit',
] as const;

export function stepsByName(definition: PlaybookDefinition): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (steps: Step[], list: (string | number)[]) => {
    steps.forEach((step, index) => {
      const path = [...list, index];
      out.set(stepName(step, path), VERBS.find((v) => v in step) ?? 'step');
      const s = step as { then?: Step[]; else?: Step[]; repeat?: { steps: Step[] } };
      if (s.then) visit(s.then, [...path, 'then']);
      if (s.else) visit(s.else, [...path, 'else']);
      if (s.repeat) visit(s.repeat.steps, [...path, 'repeat', 'steps']);
    });
  };
  visit(definition.steps, ['steps']);
  return out;
}
