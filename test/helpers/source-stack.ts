// The real stack for a test file about ATS sources: every shipped source's secret set, and a local
// server answering like Lever's API for the reads (test/helpers/fake-lever.ts).
import { afterAll, beforeAll } from 'vitest';
import { LEVER_API_KEY, startFakeLever, type FakeLever } from './fake-lever.js';
import { startStack, type Stack } from './stack.js';
import { SECRETS, type Delivery } from './vendors.js';

export interface SourceStack {
  stack: Stack;
  lever: FakeLever;
  /** Posts a delivery to the source's webhook, with extra headers if given. */
  deliver: (source: string, delivery: Delivery, headers?: Record<string, string>) => Promise<Response>;
  /** How many events, kept payloads and candidates there are (to see that nothing was stored). */
  stored: () => Promise<{ events: number; payloads: number; candidates: number }>;
}

const ENV = {
  ...SECRETS,
  RAPPORT_SOURCE_LEVER_API_KEY: LEVER_API_KEY,
  RAPPORT_SOURCE_LEVER_API_URL: '',
};

/** Starts the stack before the file's tests and stops it after them. */
export function useSourceStack(): SourceStack {
  const self = {
    deliver: (source, d, headers = {}) =>
      self.stack.rawApp.request(`/v1/sources/${source}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...d.headers, ...headers },
        body: d.body,
      }),
    stored: async () => {
      const [row] = await self.stack.db.sql<{ events: number; payloads: number; candidates: number }[]>`
        select (select count(*)::int from events) as events,
          (select count(*)::int from source_payloads) as payloads,
          (select count(*)::int from candidates) as candidates`;
      return row!;
    },
  } as SourceStack;
  beforeAll(async () => {
    self.lever = await startFakeLever();
    Object.assign(process.env, ENV, { RAPPORT_SOURCE_LEVER_API_URL: self.lever.url });
    self.stack = await startStack();
  });
  afterAll(async () => {
    await self.stack?.stop();
    await self.lever?.close();
    for (const key of Object.keys(ENV)) delete process.env[key];
  });
  return self;
}
