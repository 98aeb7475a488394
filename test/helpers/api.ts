// The API as a client with a key calls it: every request carries `Authorization: Bearer <key>` unless
// the test sets its own.
import type { createApp } from '../../src/api/app.js';
import { createApiKey } from '../../src/db/api-keys.js';
import type { Db } from '../../src/db/client.js';

export interface TestApp {
  request(url: string, init?: RequestInit): Promise<Response>;
}

export function withKey(app: ReturnType<typeof createApp>, key: string): TestApp {
  return {
    request: async (url, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${key}`);
      return app.request(url, { ...init, headers });
    },
  };
}

/** A key with every scope, for tests that are not about authorization. */
export async function adminKey(db: Db): Promise<string> {
  return (await createApiKey(db, { name: 'test', scopes: ['*'] })).key;
}
