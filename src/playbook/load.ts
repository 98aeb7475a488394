// Reads playbooks from pipelines/, validates them against schemas/playbook.schema.json, and reports
// every problem as `file:line:column: message (at /json/pointer)`.
import fs from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { PlaybookDefinition } from '../interpreter/index.js';
import { validate } from '../schemas/index.js';

export class PlaybookError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
    readonly pointer: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}${pointer ? ` (at ${pointer})` : ''}`);
    this.name = 'PlaybookError';
  }
}

export class PlaybookErrors extends Error {
  constructor(readonly errors: PlaybookError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'PlaybookErrors';
  }
}

/** Parses and validates one playbook file's text. Throws PlaybookErrors listing every problem. */
export function parsePlaybook(file: string, text: string): PlaybookDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => lines.linePos(offset);
  const errors: PlaybookError[] = doc.errors.map((e) => {
    const { line, col } = at(e.pos[0]);
    return new PlaybookError(file, line, col, e.message.split('\n')[0] ?? e.message, '');
  });
  if (errors.length) throw new PlaybookErrors(errors);

  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const result = validate<PlaybookDefinition>('playbook.schema.json', data);
  if (!result.ok) {
    throw new PlaybookErrors(
      result.errors.map((e) => {
        const { line, col } = at(offsetOf(doc, e.pointer));
        return new PlaybookError(file, line, col, e.message, e.pointer);
      }),
    );
  }
  const expected = path.basename(file).replace(/\.ya?ml$/, '');
  if (result.value.playbook !== expected) {
    const { line, col } = at(offsetOf(doc, '/playbook'));
    throw new PlaybookErrors([
      new PlaybookError(file, line, col, `playbook id must equal the file name "${expected}"`, '/playbook'),
    ]);
  }
  return result.value;
}

/** Loads every `*.yaml` playbook in a directory (not its subdirectories). */
export async function loadPlaybooks(dir: string): Promise<Map<string, PlaybookDefinition>> {
  const files = (await fs.readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const playbooks = new Map<string, PlaybookDefinition>();
  const errors: PlaybookError[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    try {
      const definition = parsePlaybook(file, await fs.readFile(file, 'utf8'));
      playbooks.set(definition.playbook, definition);
    } catch (error) {
      if (error instanceof PlaybookErrors) errors.push(...error.errors);
      else throw error;
    }
  }
  if (errors.length) throw new PlaybookErrors(errors);
  return playbooks;
}

/** Start offset of the node a JSON pointer names, or of its closest existing parent. */
function offsetOf(doc: Document, pointer: string): number {
  const keys = pointer
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  for (let n = keys.length; n >= 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return 0;
}
