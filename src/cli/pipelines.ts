// `rapport validate`, `rapport simulate` and `rapport graph`: the playbook commands, which need no
// database and no Temporal.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createExpressions } from '../expressions/liquid.js';
import { Problem } from '../http/problem.js';
import { PlaybookErrors, validatePipelines, type PlaybookError } from '../playbook/load.js';
import { toMermaid } from '../playbook/graph.js';
import { validatePolicy, validatePolicyFile } from '../playbook/policy.js';
import { loadOrg } from '../playbook/org.js';
import type { PlaybookDefinition } from '../interpreter/index.js';
import { simulate, type SimulatedEvent, type TimelineLine } from '../simulate/simulate.js';
import { loadTemplates, type TemplateEngine } from '../templates/engine.js';

export class UsageError extends Error {}

/**
 * The API's refusal said the CLI's way: each field named by its option (`flags` maps a pointer to an
 * option; `/name` is `--name` unless it says otherwise). Anything but a Problem is thrown on.
 */
export function asUsageError(error: unknown, flags: Record<string, string> = {}): never {
  if (!(error instanceof Problem)) throw error;
  throw new UsageError(
    error.errors?.length
      ? error.errors.map((e) => `${flags[e.pointer] ?? `--${e.pointer.slice(1)}`} ${e.message}`).join('\n')
      : (error.detail ?? error.title),
  );
}

type Out = (line: string) => void;

/** `rapport validate [paths…] [--json]`: exit 1 when anything is wrong. */
export async function validateCommand(args: string[], pipelinesDir: string, out: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' } },
  });
  const targets = positionals.length ? positionals : [pipelinesDir];
  const errors: PlaybookError[] = [];
  let count = 0;
  for (const target of targets) {
    const stat = await fs.stat(target).catch(() => undefined);
    if (!stat) throw new UsageError(`${target}: no such file or directory`);
    const dir = stat.isDirectory() ? target : path.dirname(target);
    const result = await validatePipelines(dir, stat.isDirectory() ? undefined : [path.resolve(target)]);
    count += result.playbooks.size;
    errors.push(...result.errors);
  }
  if (values.json) {
    out(
      JSON.stringify({ valid: errors.length === 0, playbooks: count, errors: errors.map((e) => e.toJSON()) }),
    );
  } else {
    for (const e of errors) out(e.message);
    const files = new Set(errors.map((e) => e.file)).size;
    out(errors.length ? `${errors.length} error(s) in ${files} file(s)` : `${count} playbook(s) valid`);
  }
  return errors.length ? 1 : 0;
}

/**
 * `rapport simulate <playbook.yaml>… --candidate <file> [--events <file>] [--policy <file>] [--start <iso>]
 * [--days N] [--json]`: several playbooks run side by side under the contact policy (the pipelines'
 * policy.yaml unless --policy names another).
 */
export async function simulateCommand(
  args: string[],
  out: Out,
  now: () => Date = () => new Date(),
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      candidate: { type: 'string' },
      events: { type: 'string' },
      start: { type: 'string' },
      days: { type: 'string', default: '365' },
      json: { type: 'boolean' },
      org: { type: 'string' },
      policy: { type: 'string' },
    },
  });
  const file = positionals[0];
  if (!file || !values.candidate)
    throw new UsageError(
      'usage: rapport simulate <playbook.yaml>... --candidate <candidate.json> [--events <events.jsonl>] [--policy <policy.yaml>] [--start <iso>] [--days N] [--json]',
    );
  const dir = path.dirname(path.resolve(file));
  const definitions: PlaybookDefinition[] = [];
  for (const each of positionals) {
    const { playbooks, errors } = await validatePipelines(path.dirname(path.resolve(each)), [
      path.resolve(each),
    ]);
    if (errors.length) throw new PlaybookErrors(errors);
    const found = [...playbooks.values()][0];
    if (!found) throw new UsageError(`${each}: not a playbook (.yaml)`);
    definitions.push(found);
  }
  const [definition, ...others] = definitions as [PlaybookDefinition, ...PlaybookDefinition[]];
  const chosen = values.policy
    ? await validatePolicyFile(path.resolve(values.policy))
    : await validatePolicy(dir);
  if (chosen.errors.length) throw new PlaybookErrors(chosen.errors);
  const candidate = await readJson(values.candidate, 'candidate');
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) {
    throw new UsageError(`${values.candidate}: must hold one JSON object (the candidate)`);
  }
  const events = values.events ? await readEvents(values.events) : [];
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3660)
    throw new UsageError('--days must be a whole number from 1 to 3660');
  const start = values.start ? new Date(values.start) : now();
  if (Number.isNaN(start.getTime()))
    throw new UsageError(`--start: "${values.start}" is not an ISO date-time`);
  const templates = await loadTemplates(path.join(dir, 'templates'));
  const org = await loadOrg(dir, values.org);
  const lines = simulate({
    definition,
    others,
    ...(chosen.policy ? { policy: chosen.policy } : {}),
    candidate: candidate as Record<string, unknown>,
    events,
    start: start.toISOString(),
    days,
    expressions: createExpressions(),
    subjectOf: subjects(templates),
    channels: templates.channels(),
    org,
  });
  for (const line of lines) out(values.json ? JSON.stringify(line) : describe(line));
  return 0;
}

/** `rapport graph <playbook.yaml>`: a Mermaid flowchart of the steps. */
export async function graphCommand(args: string[], out: Out): Promise<number> {
  const file = args[0];
  if (!file) throw new UsageError('usage: rapport graph <playbook.yaml>');
  const { playbooks, errors } = await validatePipelines(path.dirname(path.resolve(file)), [
    path.resolve(file),
  ]);
  if (errors.length) throw new PlaybookErrors(errors);
  const definition = [...playbooks.values()][0];
  if (!definition) throw new UsageError(`${file}: not a playbook (.yaml)`);
  out(toMermaid(definition));
  return 0;
}

function subjects(templates: TemplateEngine) {
  return (template: string, scope: Record<string, unknown>) => templates.subject(template, scope);
}

async function readJson(file: string, what: string): Promise<unknown> {
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new UsageError(`${file}: cannot read the ${what} file`);
  });
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

async function readEvents(file: string): Promise<SimulatedEvent[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => {
    throw new UsageError(`${file}: cannot read the events file`);
  });
  return text.split('\n').flatMap((line, i) => {
    if (!line.trim()) return [];
    let event: Partial<SimulatedEvent>;
    try {
      event = JSON.parse(line) as Partial<SimulatedEvent>;
    } catch (error) {
      throw new UsageError(`${file}:${i + 1}: not valid JSON (${(error as Error).message})`);
    }
    if (
      typeof event.type !== 'string' ||
      typeof event.at !== 'string' ||
      Number.isNaN(Date.parse(event.at))
    ) {
      throw new UsageError(`${file}:${i + 1}: each line needs "at" (ISO date-time) and "type"`);
    }
    return [{ at: new Date(event.at).toISOString(), type: event.type, data: event.data ?? {} }];
  });
}

function describe(line: TimelineLine): string {
  const { at, action, step, ...rest } = line;
  const details = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${at.replace('T', ' ').replace(/\.000Z$/, 'Z')}  ${action.padEnd(10)} ${step ? `${step}  ` : ''}${details}`.trimEnd();
}
