// Errors in playbook files, each with the file, line and column a person should look at.
import { isNode, type Document } from 'yaml';

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

  toJSON() {
    return {
      file: this.file,
      line: this.line,
      column: this.column,
      message: this.detail,
      pointer: this.pointer,
    };
  }
}

export class PlaybookErrors extends Error {
  constructor(readonly errors: PlaybookError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'PlaybookErrors';
  }
}

/** Start offset in the YAML text of the node a JSON pointer names, or of its closest existing parent. */
export function offsetOf(doc: Document, pointer: string): number {
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
