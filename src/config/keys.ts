// Every environment variable Rapport reads, in one place. The README's configuration table and the
// docker-compose check are tested against this list, so a new variable cannot go undocumented.

export interface ConfigKey {
  readonly name: string;
  readonly description: string;
  /** The default as a person would read it; undefined when the variable has none. */
  readonly default?: string;
}

export const CONFIG_KEYS = [
  {
    name: 'DATABASE_URL',
    description:
      'PostgreSQL connection URL. Unset: `rapport up` starts embedded PostgreSQL under the data directory; `api` and `worker` require it.',
  },
  {
    name: 'TEMPORAL_ADDRESS',
    description:
      'Temporal frontend `host:port`. Unset: `rapport up` starts the Temporal dev server (SQLite under the data directory); `api` and `worker` require it.',
  },
  { name: 'TEMPORAL_NAMESPACE', description: 'Temporal namespace.', default: 'default' },
  { name: 'RAPPORT_TASK_QUEUE', description: 'Temporal task queue the worker polls.', default: 'rapport' },
  {
    name: 'RAPPORT_WORKFLOW_CACHE_SIZE',
    description:
      'How many workflows the worker keeps in memory between tasks. Sleeping journeys need none; a larger cache saves replays for busy candidates, at about 1 MiB of worker memory each (0.75–1.8 MiB measured).',
    default: '500',
  },
  {
    name: 'TEMPORAL_CLI_PATH',
    description:
      'Path to a `temporal` CLI binary for the embedded dev server (checked before `PATH` and the cache).',
  },
  {
    name: 'SMTP_URL',
    description:
      'SMTP server for outgoing email, e.g. `smtp://user:pass@host:587`. Unset: messages are recorded in the outbox as not delivered.',
  },
  {
    name: 'SMS_WEBHOOK_URL',
    description:
      'SMS provider webhook: each SMS is POSTed there as JSON `{to, body, message_id}` with an `Idempotency-Key`. Unset: SMS are recorded in the outbox as not delivered.',
  },
  {
    name: 'SMS_WEBHOOK_TOKEN',
    description: 'Bearer token sent to `SMS_WEBHOOK_URL`.',
  },
  {
    name: 'RAPPORT_MAIL_FROM',
    description: 'Default sender address.',
    default: 'Rapport <rapport@localhost>',
  },
  {
    name: 'RAPPORT_ORG_NAME',
    description: 'Organisation name, `org.name` in templates; overrides `name` in pipelines/org.yaml.',
    default: 'the name in pipelines/org.yaml, else Rapport',
  },
  { name: 'HOST', description: 'Interface the HTTP API binds to.', default: '127.0.0.1' },
  { name: 'PORT', description: 'HTTP API port.', default: '3000' },
  {
    name: 'RAPPORT_RATE_LIMIT',
    description:
      'Requests per second each API key may make to `/v1`, and the inbound-mail provider to `/inbound/email` (bursts up to ten times that); over it: `429` with `Retry-After`. `0`: no limit.',
    default: '50',
  },
  {
    name: 'RAPPORT_INBOUND_EMAIL_SECRET',
    description:
      'Shared secret the inbound-mail provider presents on `POST /inbound/email`: as the basic-auth password (`https://inbound:<secret>@rapport.example/inbound/email`) or as `Authorization: Bearer <secret>`. Unset: replies are not taken (every post is answered `503`).',
  },
  {
    name: 'RAPPORT_PUBLIC_URL',
    description:
      'Base URL the API is reached at (used in links; the console returns only to pages of it after sign-in).',
    default: 'http://localhost:<PORT>',
  },
  {
    name: 'RAPPORT_DATA_DIR',
    description: 'Where embedded PostgreSQL and the dev server keep their data.',
    default: './.rapport',
  },
  {
    name: 'RAPPORT_CACHE_DIR',
    description: 'Where the Temporal CLI binary is cached (outside the repository).',
    default: '$XDG_CACHE_HOME/rapport or ~/.cache/rapport',
  },
  {
    name: 'RAPPORT_PIPELINES_DIR',
    description: 'Playbooks and templates directory.',
    default: './pipelines',
  },
  {
    name: 'RAPPORT_TEMPORAL_PORT',
    description: 'Port of the embedded Temporal dev server.',
    default: '7233',
  },
  { name: 'RAPPORT_TEMPORAL_UI_PORT', description: 'Port of the embedded Temporal web UI.', default: '8233' },
  { name: 'RAPPORT_POSTGRES_PORT', description: 'Port of embedded PostgreSQL.', default: '5433' },
  {
    name: 'LOG_LEVEL',
    description: 'pino log level: trace, debug, info, warn, error, fatal.',
    default: 'info',
  },
] as const satisfies readonly ConfigKey[];

export type ConfigKeyName = (typeof CONFIG_KEYS)[number]['name'];
