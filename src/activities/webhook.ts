// The webhook activity: calls an external system (an ATS…) for a journey step. Secrets appear in the
// request only: the step carries the references its playbook's `{{ env.NAME }}` rendered as
// (src/interpreter/secrets.ts), resolved here from the worker's environment. Everything else in the url,
// headers and body is sent as the text it is; messages and the timeline show references as written.
import { ApplicationFailure } from '@temporalio/common';
import { Failure } from '../../workflows/contract.js';
import { readableReferences, REFERENCE_MARK, SECRET_REFERENCE } from '../interpreter/secrets.js';

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

const TIMEOUT_MS = 10_000;

/**
 * Replaces the secret references of a rendered url, header or body with their values, or fails (not
 * retried) naming the variable that is not set, or showing the reference a filter spoilt. `used` collects
 * the values it put in.
 */
export function resolveSecrets<T>(value: T, env: NodeJS.ProcessEnv, used = new Map<string, string>()): T {
  if (typeof value === 'string') {
    if (value.replace(SECRET_REFERENCE, '').includes(REFERENCE_MARK)) {
      throw ApplicationFailure.nonRetryable(
        `the webhook has a secret reference that a filter changed: ${readableReferences(value)}`,
        Failure.MissingSecret,
      );
    }
    return value.replace(SECRET_REFERENCE, (_, name: string) => {
      const secret = env[name];
      if (secret === undefined) {
        throw ApplicationFailure.nonRetryable(
          `the webhook needs the environment variable ${name}`,
          Failure.MissingSecret,
        );
      }
      used.set(name, secret);
      return secret;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => resolveSecrets(v, env, used)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveSecrets(v, env, used)])) as T;
  }
  return value;
}

/** A message with every secret value in it shown as its reference (`{{ env.NAME }}`). */
function hideSecrets(message: string, used: ReadonlyMap<string, string>): string {
  const longestFirst = [...used].filter(([, secret]) => secret).sort(([, a], [, b]) => b.length - a.length);
  return longestFirst.reduce((text, [name, secret]) => text.replaceAll(secret, `{{ env.${name} }}`), message);
}

export async function callWebhook(
  input: WebhookInput,
  env: NodeJS.ProcessEnv = process.env,
): Promise<WebhookResult> {
  // Resolved before calling: a variable that is not set fails the step, it is not retried.
  const used = new Map<string, string>();
  const url = resolveSecrets(input.url, env, used);
  const headers = resolveSecrets(input.headers ?? {}, env, used);
  const body =
    input.method === 'GET' ? undefined : JSON.stringify(resolveSecrets(input.body ?? {}, env, used));
  let response: Response;
  try {
    response = await fetch(url, {
      method: input.method,
      headers: { 'content-type': 'application/json', 'idempotency-key': input.key, ...headers },
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    // The runtime's message may quote the URL or a header as resolved: their secrets are hidden again.
    throw ApplicationFailure.retryable(
      `webhook ${input.method} ${shownUrl(input)} failed: ${hideSecrets((error as Error).message, used)}`,
      Failure.WebhookUnreachable,
    );
  }
  await response.body?.cancel();
  if (response.ok) return { status: response.status };
  const message = `webhook ${input.method} ${shownUrl(input)} answered ${response.status}`;
  if (response.status === 408 || response.status === 429 || response.status >= 500) {
    throw ApplicationFailure.retryable(message, Failure.WebhookRetryable);
  }
  throw ApplicationFailure.nonRetryable(message, Failure.WebhookRejected);
}

/** The URL of a call as people read it: secret references as `{{ env.NAME }}`, never their values. */
export function shownUrl(input: Pick<WebhookInput, 'url'>): string {
  return readableReferences(input.url);
}

/** The timeline line of a call: the URL with its secret references as the playbook wrote them. */
export function webhookSummary(input: WebhookInput, result: WebhookResult): string {
  return `Called ${input.method} ${shownUrl(input)} → ${result.status}`;
}
