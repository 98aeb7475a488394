// Message templates: one Liquid file per template with YAML front matter (subject, channel, from), in
// pipelines/templates/, with shared layouts and partials in its subfolders. All files are read and
// parsed once; rendering is synchronous (liquidjs, strict filters). Values in the scope are data: they
// are output, never evaluated as Liquid, and the HTML part never makes a link of an address they carry
// unless the sender trusts it (marks.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import { Liquid, type Template } from 'liquidjs';
import { parse as parseYaml } from 'yaml';
import { registerFilters } from '../expressions/filters.js';
import { remembered, type Remembered } from '../expressions/remember.js';
import { validate } from '../schemas/index.js';
import { linkableAddresses, markOutputs, unmarked } from './marks.js';
import { unknownVariables, type UnknownVariable } from './variables.js';

export interface RenderedMessage {
  template: string;
  channel: 'email' | 'sms';
  subject: string;
  text: string;
  /**
   * The same message as HTML: paragraphs, line breaks and links; every value HTML-escaped. Links are the
   * web addresses the template writes, and those printed values give that the sender trusts.
   */
  html: string;
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

interface Parsed {
  front: FrontMatter;
  subject: Template[];
  body: Template[];
  /** Lines of the subject and of the body's first line in the file, for error positions. */
  subjectLine: number;
  bodyLine: number;
  file: string;
}

export interface TemplateProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface TemplateEngine {
  has(template: string): boolean;
  /** Variables the templates read that the scope does not have (schemas/scope.schema.json). */
  problems(): TemplateProblem[];
  ids(): string[];
  /** Each template's channel (front matter), for sends that do not name one. */
  channels(): Record<string, 'email' | 'sms'>;
  render(template: string, scope: Record<string, unknown>, options?: RenderOptions): RenderedMessage;
  /** Renders the subject line alone (the simulator prints it for every send). */
  subject(template: string, scope: Record<string, unknown>): string;
}

export interface RenderOptions {
  /**
   * Web addresses a printed value may make a link of (see `trustedAddresses`): the organisation's,
   * Rapport's own links, the recruiting event's. Any other address in a value stays text.
   */
  trusted?: ReadonlySet<string>;
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/;
const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Reads every template under `dir`. Throws TemplateError for a template that cannot be parsed. */
export async function loadTemplates(dir: string): Promise<TemplateEngine> {
  const files = await listFiles(dir);
  const sources = Object.fromEntries(
    await Promise.all(files.map(async (f) => [f, await fs.readFile(path.join(dir, f), 'utf8')] as const)),
  );
  const liquid = markOutputs(
    registerFilters(new Liquid({ templates: sources, extname: '.liquid', strictFilters: true, cache: true })),
  );
  const parsed = new Map<string, Parsed>();
  for (const file of files) {
    if (file.includes('/')) continue; // layouts and partials
    const id = file.replace(/\.liquid$/, '');
    if (!ID.test(id)) throw new TemplateError(id, 'template file names must be kebab-case ids');
    parsed.set(id, parseTemplate(liquid, id, path.join(dir, file), sources[file]!));
  }
  const get = (id: string) => {
    const t = parsed.get(id);
    if (!t) throw new TemplateError(id, `no file ${id}.liquid in the templates folder`);
    return t;
  };
  const subjectOf = (t: Parsed, scope: Record<string, unknown>) =>
    unmarked(liquid.renderSync(t.subject, scope) as string)
      .replace(/\s+/g, ' ')
      .trim();
  // The simulator prints a subject for every send: subjects are remembered by the values they read.
  const subjects = new Map<Parsed, Remembered<string>>();
  const rememberedSubject = (t: Parsed, scope: Record<string, unknown>) => {
    let memory = subjects.get(t);
    if (!memory) {
      memory = remembered<string>(liquid, 'template', t.front.subject);
      subjects.set(t, memory);
    }
    return memory.get(scope, () => subjectOf(t, scope));
  };
  return {
    has: (id) => parsed.has(id),
    problems: () =>
      [...parsed.values()].flatMap((t) => [
        ...unknownVariables(t.subject).map((v) => problem(t.file, t.subjectLine, v)),
        ...unknownVariables(t.body).map((v) => problem(t.file, t.bodyLine + v.row - 1, v)),
      ]),
    ids: () => [...parsed.keys()].sort(),
    channels: () => Object.fromEntries([...parsed].map(([id, t]) => [id, t.front.channel])),
    subject(id, scope) {
      try {
        return rememberedSubject(get(id), scope);
      } catch (error) {
        if (error instanceof TemplateError) throw error;
        throw new TemplateError(id, (error as Error).message, { cause: error });
      }
    },
    render(id, scope, options = {}) {
      const t = get(id);
      try {
        const subject = subjectOf(t, scope);
        const body = liquid.renderSync(t.body, scope) as string;
        return {
          template: id,
          channel: t.front.channel,
          subject,
          text: tidy(unmarked(body)),
          html: toHtml(tidy(body), options.trusted),
          from: t.front.from,
        };
      } catch (error) {
        throw new TemplateError(id, (error as Error).message, { cause: error });
      }
    },
  };
}

function parseTemplate(liquid: Liquid, id: string, file: string, source: string): Parsed {
  const match = FRONT_MATTER.exec(source);
  if (!match) throw new TemplateError(id, `${file}:1:1: must start with front matter between --- lines`);
  const checked = validate<FrontMatter>('template.schema.json', parseYaml(match[1]!) ?? {});
  if (!checked.ok) {
    throw new TemplateError(
      id,
      `${file}:2:1: ${checked.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
    );
  }
  const bodyLine = match[0].split('\n').length;
  const subjectLine = 1 + match[1]!.split('\n').findIndex((l) => l.startsWith('subject:')) + 1;
  try {
    return {
      front: checked.value,
      subject: liquid.parse(checked.value.subject),
      body: liquid.parse(source.slice(match[0].length)),
      subjectLine,
      bodyLine,
      file,
    };
  } catch (error) {
    throw new TemplateError(id, `${file}: ${(error as Error).message}`, { cause: error });
  }
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  // No templates directory is no templates: a playbook that sends then names an unknown template.
  const entries = await fs
    .readdir(path.join(dir, prefix), { withFileTypes: true })
    .catch((error: unknown) => {
      if (!prefix && (error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    });
  const nested = await Promise.all(
    entries.map(async (e) => {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) return listFiles(dir, rel);
      return e.name.endsWith('.liquid') ? [rel] : [];
    }),
  );
  return nested.flat().sort();
}

function problem(file: string, line: number, v: UnknownVariable): TemplateProblem {
  return {
    file,
    line,
    column: v.col,
    message: `unknown variable ${v.path}: there is no "${v.missing}" (see schemas/scope.schema.json)`,
  };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Rendered text (with its output marks) as simple HTML: escaped, paragraphs on blank lines, line breaks,
 * and clickable links where the template writes the site, or a printed value gives a trusted address.
 */
export function toHtml(marked: string, trusted: ReadonlySet<string> = new Set()): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
  const { text, links } = linkableAddresses(marked, trusted);
  let html = '';
  let at = 0;
  for (const { start, end } of links) {
    const url = escape(text.slice(start, end));
    html += `${escape(text.slice(at, start))}<a href="${url}">${url}</a>`;
    at = end;
  }
  html += escape(text.slice(at));
  const paragraphs = html
    .trim()
    .split(/\n{2,}/)
    .map((p) => p.replace(/\n/g, '<br>\n'));
  return `<!doctype html>\n<html><body>\n${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}\n</body></html>\n`;
}

/** Trims the blank lines that block tags leave behind. */
function tidy(text: string): string {
  return `${text.replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
