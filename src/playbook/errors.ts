// Errors in playbook files, each with the file, line and column a person should look at.

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
