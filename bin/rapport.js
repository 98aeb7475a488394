#!/usr/bin/env node
// Entry point of the `rapport` command. In production (NODE_ENV=production) with a build present
// (`npm run build`: dist/), it runs the compiled JavaScript and its prebuilt workflow bundle; otherwise it
// runs the TypeScript sources through tsx, as `npm start` does on a developer's machine.
import { existsSync } from 'node:fs';
import { URL } from 'node:url';

const built = new URL('../dist/src/cli/main.js', import.meta.url);
let main;
if (process.env.NODE_ENV === 'production' && existsSync(built)) {
  ({ main } = await import(built.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
