// The production build as the Docker image runs it: `npm run build` compiles to dist/ and bundles the
// workflows ahead of time; `rapport worker` with NODE_ENV=production then runs the compiled code with the
// prebuilt bundle, and carries a candidate's first journey through to the email.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/log.js';
import { adminKey, withKey } from '../helpers/api.js';
import { cleanEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { startStack, type Stack } from '../helpers/stack.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let stack: Stack;
let worker: RunningCli | undefined;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  worker?.child.kill('SIGTERM');
  if (worker) await worker.exited;
  await stack?.stop();
});

describe('the production build', () => {
  it('compiles, and its worker runs journeys from the prebuilt workflow bundle', async () => {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    expect(fs.existsSync(path.join(ROOT, 'dist/src/cli/main.js'))).toBe(true);
    expect(fs.statSync(path.join(ROOT, 'dist/workflow-bundle.js')).size).toBeGreaterThan(100_000);

    const taskQueue = 'production-build';
    worker = startCli(
      ['worker'],
      cleanEnv({
        NODE_ENV: 'production',
        DATABASE_URL: stack.db.url,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        RAPPORT_TASK_QUEUE: taskQueue,
        SMTP_URL: stack.smtp.url,
        LOG_LEVEL: 'info',
      }),
    );
    await worker.waitForOutput('worker running');
    expect(worker.output()).toContain('"workflows":"prebuilt bundle"');

    // Events for this task queue reach only the compiled worker.
    const app = createApp({
      sql: stack.db.sql,
      temporal: stack.client,
      taskQueue,
      log: createLogger('silent'),
      sources: new Map(),
      links: stack.deps.links!.signer,
    });
    const api = withKey(app, await adminKey(stack.db.sql));
    const res = await api.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'candidate.applied',
        candidate: { email: 'built@example.com', first_name: 'Barbara' },
        data: { job: { title: 'Release engineer' } },
      }),
    });
    expect(res.status).toBe(202);
    const mail = await stack.smtp.waitFor((m) => m.to.includes('built@example.com'));
    expect(mail.subject).toBe('Barbara, we received your application for Release engineer');
  });
});
