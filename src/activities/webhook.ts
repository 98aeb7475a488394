// The webhook activity: calls an external system (an ATS…) for a journey step. Secrets appear in the
// request only: the step carries `{{env:NAME}}` references, resolved here from the worker's environment.
import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../../workflows/contract.js';

export interface WebhookInput {
  key: string;
  url: string;
  method: string;
  headers?: Record<string, string> | undefined;
  body?: unknown;
}

export interface WebhookResult {
  status: number;
}

const REFERENCE = /\{\{env:([A-Za-z_][A-Za-z0-9_]*)\}\}/g;
const TIMEOUT_MS = 10_000;

/** Replaces `{{env:NAME}}` references, or fails (not retried) naming the missing variable. */
export function resolveSecrets<T>(value: T, env: NodeJS.ProcessEnv): T {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (_, name: string) => {
      const secret = env[name];
      if (secret === undefined) {
        throw ApplicationFailure.nonRetryable(
          `the webhook needs the environment variable ${name}`,
          Failure.MissingSecret,
        );
      }
      return secret;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => resolveSecrets(v, env)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSecrets(v, env)])) as T;
  }
  return value;
}

export async function callWebhook(
  input: WebhookInput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<WebhookResult> {
  const url = resolveSecrets(input.url, env);
  let response: Response;
  try {
    response = await fetch(url, {
      method: input.method,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': input.key,
        ...resolveSecrets(input.headers ?? {}, env),
      },
      ...(input.method === 'GET' ? {} : { body: JSON.stringify(resolveSecrets(input.body ?? {}, env)) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw ApplicationFailure.retryable(
      `webhook ${input.method} ${input.url} failed: ${(error as Error).message}`,
      Failure.WebhookUnreachable,
    );
  }
  await response.body?.cancel();
  if (response.ok) return { status: response.status };
  const message = `webhook ${input.method} ${input.url} answered ${response.status}`;
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    throw ApplicationFailure.retryable(message, Failure.WebhookRetryable);
  }
  throw ApplicationFailure.nonRetryable(message, Failure.WebhookRejected);
}

/** The timeline line of a call: the URL as the playbook wrote it (secret references, not secrets). */
export function webhookSummary(input: WebhookInput, result: WebhookResult): string {
  return `Called ${input.method} ${input.url} → ${result.status}`;
}
