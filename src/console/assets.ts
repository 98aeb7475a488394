// The console's stylesheet and script, read once and served by Rapport itself (no CDN).
import fs from 'node:fs';
import path from 'node:path';
import { operation } from '../http/operation.js';
import { CONSOLE_ASSETS } from '../paths.js';

const ASSETS = {
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
} as const;

const read = (name: keyof typeof ASSETS) => fs.readFileSync(path.join(CONSOLE_ASSETS, name), 'utf8');

export const assetOperations = Object.entries(ASSETS).map(([name, type]) => {
  let body: string | undefined;
  return operation({
    method: 'get',
    console: true,
    path: `/console/${name}`,
    summary: `The console's ${name.endsWith('.css') ? 'stylesheet' : 'script'}`,
    access: { public: 'a static asset of the console' },
    standalone: true,
    answers: { 200: { description: 'The file', mediaType: type } },
    handle: (c) => {
      body ??= read(name as keyof typeof ASSETS);
      return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=300' });
    },
  });
});
