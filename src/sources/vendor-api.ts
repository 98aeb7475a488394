// Reads from a vendor's API for a rule's `reads` (Lever sends only ids; a stage id needs its name): GETs
// made by the worker after the webhook was stored and answered, one after the other, each seeing the
// answers before it. A failure says whether trying again can help: an API that is down, slow or limiting
// is retried by the activity; an answer that will not change (404, refused credentials) is permanent.
import type { SourceMapping, SourceRule } from '../playbook/sources.js';
import { pathLiquid } from './liquid.js';
import type { SourceScope } from './webhook.js';

const TIMEOUT_MS = 10_000;

export class ReadFailed extends Error {
  constructor(
    message: string,
    /** Trying again cannot help. */
    readonly permanent: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ReadFailed';
  }
}

/** The answers of the rule's reads, by name. */
export async function runReads(
  mapping: SourceMapping,
  rule: SourceRule,
  scope: SourceScope,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, unknown>> {
  const api = mapping.api;
  if (!api) throw new ReadFailed(`${mapping.source} has reads but no api`, true);
  const base = (api.base_url_env && env[api.base_url_env]) || api.base_url;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (api.auth) {
    const key = env[api.auth.secret_env];
    if (!key)
      throw new ReadFailed(`The ${mapping.source} API key is not set: set ${api.auth.secret_env}.`, true);
    headers.authorization =
      api.auth.scheme === 'basic' ? `Basic ${Buffer.from(`${key}:`).toString('base64')}` : `Bearer ${key}`;
  }
  const reads: Record<string, unknown> = {};
  for (const read of rule.reads ?? []) {
    const path = String(pathLiquid.parseAndRenderSync(read.path, { ...scope, reads })).trim();
    // An empty value leaves an empty segment; `.` and `..` would climb out of the resource.
    if (!path.startsWith('/') || /\/\/|\/$|\/\?|\/\.\.?(\/|\?|$)/.test(path)) {
      if (read.optional) {
        reads[read.as] = {};
        continue;
      }
      throw new ReadFailed(
        `The read ${read.as} has an empty or relative segment in its path (${path}).`,
        true,
      );
    }
    const url = `${base.replace(/\/$/, '')}${path}`;
    try {
      reads[read.as] = await get(url, headers, read.as);
    } catch (error) {
      if (!(read.optional && error instanceof ReadFailed && error.status === 404)) throw error;
      reads[read.as] = {};
    }
  }
  return reads;
}

async function get(url: string, headers: Record<string, string>, as: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
  } catch (error) {
    throw new ReadFailed(`GET ${url} (${as}) failed: ${(error as Error).message}`, false);
  }
  const text = await response.text().catch(() => '');
  if (!response.ok) {
    const transient = response.status === 408 || response.status === 429 || response.status >= 500;
    throw new ReadFailed(
      `GET ${url} (${as}) answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
      !transient,
      response.status,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ReadFailed(
      `GET ${url} (${as}) answered ${response.status} with a body that is not JSON.`,
      true,
    );
  }
}
