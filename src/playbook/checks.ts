// Checks a structurally valid playbook for what a schema cannot see: unique step ids, templates and
// playbooks that exist, time zones, sending windows, expressions that parse, loops that would never
// wait, and steps that can never run.
import { Liquid, type Template } from 'liquidjs';
import { registerFilters } from '../expressions/filters.js';
import { isValidTimezone } from '../interpreter/window.js';
import type { PlaybookDefinition, SendingWindow, Step } from '../interpreter/types.js';
import type { FieldError } from '../schemas/index.js';
import { unknownVariables } from '../templates/variables.js';

export interface CheckContext {
  hasTemplate(id: string): boolean;
  hasPlaybook(id: string): boolean;
}

const liquid = registerFilters(new Liquid({ strictFilters: true }));

export function semanticErrors(definition: PlaybookDefinition, context: CheckContext): FieldError[] {
  const errors: FieldError[] = [];
  const error = (pointer: string, message: string) => errors.push({ pointer, message });
  const ids = new Map<string, string>();

  const variables = (pointer: string, parsed: Template[]) => {
    for (const v of unknownVariables(parsed)) {
      error(
        pointer,
        `unknown variable ${v.path}: there is no "${v.missing}" (see schemas/scope.schema.json)`,
      );
    }
  };
  const expression = (pointer: string, text: string | undefined) => {
    if (text === undefined) return;
    try {
      liquid.evalValueSync(text, {});
      // Conditions parse as {% if %}; values with filters as {{ }}.
      variables(pointer, liquid.parse(text.includes('|') ? `{{ ${text} }}` : `{% if ${text} %}{% endif %}`));
    } catch (e) {
      error(pointer, `expression does not parse: ${(e as Error).message}`);
    }
  };
  const liquidText = (pointer: string, text: unknown) => {
    if (typeof text !== 'string') return;
    let parsed: Template[];
    try {
      parsed = liquid.parse(text);
    } catch (e) {
      error(pointer, `Liquid does not parse: ${(e as Error).message}`);
      return;
    }
    variables(pointer, parsed);
  };
  const timezone = (pointer: string, zone: string | undefined) => {
    if (zone !== undefined && zone !== 'candidate' && !isValidTimezone(zone)) {
      error(pointer, `unknown time zone "${zone}"; use an IANA name such as Europe/Paris, or "candidate"`);
    }
  };
  const window = (pointer: string, w: SendingWindow | undefined) => {
    if (!w) return;
    timezone(`${pointer}/timezone`, w.timezone);
    if (w.from >= w.to) error(`${pointer}/to`, `the window closes (${w.to}) before it opens (${w.from})`);
  };

  timezone('/timezone', definition.timezone);
  window('/sending/window', definition.sending?.window);
  expression('/enroll/if', definition.enroll.if);

  const walk = (steps: Step[], pointer: string) => {
    let exited = false;
    steps.forEach((s, i) => {
      const at = `${pointer}/${i}`;
      if (exited) {
        error(at, 'this step can never run: an exit step comes before it');
        exited = false;
      }
      if (s.id !== undefined) {
        const first = ids.get(s.id);
        if (first)
          error(`${at}/id`, `step id "${s.id}" is already used at ${first}; step ids must be unique`);
        else ids.set(s.id, at);
      }
      if ('send' in s) {
        const spec = typeof s.send === 'string' ? { template: s.send } : s.send;
        const where = typeof s.send === 'string' ? `${at}/send` : `${at}/send/template`;
        if (!context.hasTemplate(spec.template)) {
          error(where, `no template "${spec.template}": create pipelines/templates/${spec.template}.liquid`);
        }
        if (typeof s.send !== 'string') window(`${at}/send/window`, s.send.window);
      } else if ('wait' in s) {
        if (typeof s.wait !== 'string') expression(`${at}/wait/until`, s.wait.until);
      } else if ('waitFor' in s) {
        expression(`${at}/waitFor/if`, s.waitFor.if);
      } else if ('if' in s) {
        expression(`${at}/if`, s.if);
      } else if ('update' in s) {
        for (const [k, v] of Object.entries(s.update.set ?? {})) liquidText(`${at}/update/set/${k}`, v);
      } else if ('task' in s) {
        liquidText(`${at}/task/title`, s.task.title);
      } else if ('enroll' in s) {
        if (!context.hasPlaybook(s.enroll.playbook)) {
          error(`${at}/enroll/playbook`, `no playbook "${s.enroll.playbook}" in pipelines/`);
        }
        expression(`${at}/enroll/job`, s.enroll.job);
      } else if ('find' in s) {
        for (const [k, v] of Object.entries(s.find.match)) {
          [v]
            .flat()
            .forEach((text, n) =>
              liquidText(`${at}/find/match/${k}${Array.isArray(v) ? `/${n}` : ''}`, text),
            );
        }
        if (definition.for !== 'job')
          error(`${at}/find`, 'find rediscovers candidates for a job: use it in a playbook with `for: job`');
      } else if ('webhook' in s) {
        liquidText(`${at}/webhook/url`, s.webhook.url);
      } else if ('repeat' in s) {
        expression(`${at}/repeat/until`, s.repeat.until);
        if (!s.repeat.every && !waits(s.repeat.steps)) {
          error(
            `${at}/repeat`,
            'a repeat without `every` must wait inside its steps, or it would run without pause',
          );
        }
      } else if ('exit' in s) {
        exited = true;
      }
      for (const branch of ['then', 'else'] as const) {
        const list = (s as { then?: Step[]; else?: Step[] })[branch];
        if (list) walk(list, `${at}/${branch}`);
      }
      if ('repeat' in s) walk(s.repeat.steps, `${at}/repeat/steps`);
    });
  };
  walk(definition.steps, '/steps');
  return errors;
}

/** Whether running these steps always takes time (a wait or a waitFor on every path). */
function waits(steps: Step[]): boolean {
  return steps.some(
    (s) =>
      'wait' in s ||
      'waitFor' in s ||
      ('if' in s && !!s.then?.length && !!s.else?.length && waits(s.then) && waits(s.else)) ||
      ('repeat' in s && (!!s.repeat.every || waits(s.repeat.steps))),
  );
}
