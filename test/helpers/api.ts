// The API as a client with a key calls it: every request carries `Authorization: Bearer <key>` unless
// the test sets its own.
import type { createApp } from '../../src/http/app.js';
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

export interface JsonAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls the API with a JSON body (or a string body of `type`) and reads the JSON answer. */
export type JsonCall = <T = Record<string, unknown>>(
  method: string,
  url: string,
  body?: unknown,
  type?: string,
) => Promise<JsonAnswer<T>>;

export function jsonCaller(app: TestApp): JsonCall {
  return async <T>(method: string, url: string, body?: unknown, type?: string) => {
    const res = await app.request(url, {
      method,
      ...(body === undefined
        ? {}
        : {
            headers: { 'content-type': type ?? 'application/json' },
            body: typeof body === 'string' ? body : JSON.stringify(body),
          }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T };
  };
}
