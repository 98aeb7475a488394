// Message templates: one Liquid file per template with YAML front matter (subject, channel), rendered
// by liquidjs in strict mode. Values in the scope are data: they are output, never evaluated as Liquid.
import fs from 'node:fs/promises';
import path from 'node:path';
import { Liquid } from 'liquidjs';
import { parse as parseYaml } from 'yaml';
import { validate } from '../schemas/index.js';

export interface RenderedMessage {
  template: string;
  channel: 'email' | 'sms';
  subject: string;
  text: string;
  from: string | undefined;
}

export class TemplateError extends Error {
  constructor(
    readonly template: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`template ${template}: ${message}`, options);
    this.name = 'TemplateError';
  }
}

interface FrontMatter {
  subject: string;
  channel: 'email' | 'sms';
  from?: string;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;

export interface TemplateEngine {
  render(template: string, scope: Record<string, unknown>): Promise<RenderedMessage>;
}

export function createTemplateEngine(templatesDir: string): TemplateEngine {
  const liquid = new Liquid({
    root: [templatesDir],
    extname: '.liquid',
    strictFilters: true,
    strictVariables: false,
    lenientIf: true,
    cache: true,
  });
  return {
    async render(template, scope) {
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(template))
        throw new TemplateError(template, 'is not a template id');
      const file = path.join(templatesDir, `${template}.liquid`);
      const source = await fs.readFile(file, 'utf8').catch((error: unknown) => {
        throw new TemplateError(template, `no file ${file}`, { cause: error });
      });
      const match = FRONT_MATTER.exec(source);
      if (!match) throw new TemplateError(template, 'must start with front matter between --- lines');
      const checked = validate<FrontMatter>('template.schema.json', parseYaml(match[1]!) ?? {});
      if (!checked.ok) {
        throw new TemplateError(template, checked.errors.map((e) => `${e.pointer} ${e.message}`).join('; '));
      }
      const body = source.slice(match[0].length);
      try {
        const subject = (await liquid.parseAndRender(checked.value.subject, scope)) as string;
        const text = (await liquid.parseAndRender(body, scope)) as string;
        return {
          template,
          channel: checked.value.channel,
          subject: subject.replace(/\s+/g, ' ').trim(),
          text: tidy(text),
          from: checked.value.from,
        };
      } catch (error) {
        throw new TemplateError(template, error instanceof Error ? error.message : String(error), {
          cause: error,
        });
      }
    },
  };
}

/** Trims the blank lines that block tags leave behind. */
function tidy(text: string): string {
  return `${text.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
