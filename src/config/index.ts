// Loads configuration once from the environment into a typed, frozen object. A bad value fails at
// start with a message naming the variable.
import os from 'node:os';
import path from 'node:path';
import type { ConfigKeyName } from './keys.js';

export type Env = Readonly<Partial<Record<string, string>>>;

export interface Config {
  readonly databaseUrl: string | undefined;
  readonly temporal: {
    readonly address: string | undefined;
    readonly namespace: string;
    readonly taskQueue: string;
    readonly cliPath: string | undefined;
    readonly workflowCacheSize: number;
    readonly embeddedPort: number;
    readonly embeddedUiPort: number;
  };
  readonly smtpUrl: string | undefined;
  readonly sms: { readonly url: string | undefined; readonly token: string | undefined };
  readonly mailFrom: string;
  /** RAPPORT_ORG_NAME: replaces the name in pipelines/org.yaml when set. */
  readonly orgName: string | undefined;
  readonly http: {
    readonly host: string;
    readonly port: number;
    readonly publicUrl: string;
    readonly rateLimit: number;
    /** RAPPORT_INBOUND_EMAIL_SECRET: what the inbound-mail provider presents; unset, no reply is taken. */
    readonly inboundEmailSecret: string | undefined;
  };
  readonly dataDir: string;
  readonly cacheDir: string;
  readonly pipelinesDir: string;
  readonly postgresPort: number;
  readonly logLevel: LogLevel;
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
  constructor(
    readonly variable: ConfigKeyName,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const get = (name: ConfigKeyName): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const port = (name: ConfigKeyName, fallback: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > 65535) {
      throw new ConfigError(name, `must be a port number between 1 and 65535 (got "${raw}")`);
    }
    return n;
  };
  const count = (name: ConfigKeyName, fallback: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number (got "${raw}")`);
    return Number(raw);
  };
  const url = (name: ConfigKeyName, protocols: readonly string[]): string | undefined => {
    const raw = get(name);
    if (raw === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new ConfigError(name, `must be a URL such as ${protocols[0]}//host:port (got "${redact(raw)}")`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `must use ${protocols.join(' or ')} (got "${parsed.protocol}")`);
    }
    return raw;
  };

  const temporalAddress = get('TEMPORAL_ADDRESS');
  if (temporalAddress !== undefined && !/^[\w.-]+:\d+$|^\[[\da-f:]+\]:\d+$/i.test(temporalAddress)) {
    throw new ConfigError(
      'TEMPORAL_ADDRESS',
      `must be host:port, e.g. localhost:7233 (got "${temporalAddress}")`,
    );
  }
  const logLevel = get('LOG_LEVEL') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const httpPort = port('PORT', 3000);
  const resolve = (p: string) => path.resolve(cwd, p);
  const cacheHome = env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');

  return deepFreeze({
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    temporal: {
      address: temporalAddress,
      namespace: get('TEMPORAL_NAMESPACE') ?? 'default',
      taskQueue: get('RAPPORT_TASK_QUEUE') ?? 'rapport',
      cliPath: get('TEMPORAL_CLI_PATH'),
      embeddedPort: port('RAPPORT_TEMPORAL_PORT', 7233),
      embeddedUiPort: port('RAPPORT_TEMPORAL_UI_PORT', 8233),
      workflowCacheSize: count('RAPPORT_WORKFLOW_CACHE_SIZE', 500),
    },
    smtpUrl: url('SMTP_URL', ['smtp:', 'smtps:']),
    sms: { url: url('SMS_WEBHOOK_URL', ['http:', 'https:']), token: get('SMS_WEBHOOK_TOKEN') },
    mailFrom: get('RAPPORT_MAIL_FROM') ?? 'Rapport <rapport@localhost>',
    orgName: get('RAPPORT_ORG_NAME'),
    http: {
      host: get('HOST') ?? '127.0.0.1',
      port: httpPort,
      rateLimit: count('RAPPORT_RATE_LIMIT', 50),
      inboundEmailSecret: get('RAPPORT_INBOUND_EMAIL_SECRET'),
      publicUrl: (url('RAPPORT_PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${httpPort}`).replace(
        /\/$/,
        '',
      ),
    },
    dataDir: resolve(get('RAPPORT_DATA_DIR') ?? '.rapport'),
    cacheDir: resolve(get('RAPPORT_CACHE_DIR') ?? path.join(cacheHome, 'rapport')),
    pipelinesDir: resolve(get('RAPPORT_PIPELINES_DIR') ?? 'pipelines'),
    postgresPort: port('RAPPORT_POSTGRES_PORT', 5433),
    logLevel: logLevel as LogLevel,
  });
}

/** Hides the password of a URL before it reaches a message or a log. */
export function redact(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object') deepFreeze(child as object);
  }
  return Object.freeze(value);
}
