// Where the project's own files are, whether the code runs from source (src/…, through tsx) or compiled
// (dist/src/…, after `npm run build`): the directory holding package.json, and what lives under it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'schemas'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Rapport package above ${from}`);
  }
}

export const ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const SCHEMAS_DIR = path.join(ROOT, 'schemas');
export const MIGRATIONS_DIR = path.join(ROOT, 'src', 'db', 'migrations');
export const CONSOLE_ASSETS = path.join(ROOT, 'src', 'console', 'assets');
/** The workflows' entry, bundled at worker start when running from source. */
export const WORKFLOWS_SOURCE = path.join(ROOT, 'workflows', 'index.ts');
/** The workflow bundle `npm run build` writes; a compiled worker loads it instead of bundling. */
export const WORKFLOW_BUNDLE = path.join(ROOT, 'dist', 'workflow-bundle.js');
/** True when this code is the compiled build (dist/), not the TypeScript sources. */
export const COMPILED = fileURLToPath(import.meta.url).endsWith('.js');
