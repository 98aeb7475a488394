import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redact } from '../../src/config/index.js';

describe('loadConfig', () => {
  it('needs no configuration: embedded defaults under the working directory', () => {
    const config = loadConfig({ HOME: '/home/ada' }, '/srv/rapport');
    expect(config).toMatchObject({
      databaseUrl: undefined,
      temporal: { address: undefined, namespace: 'default', taskQueue: 'rapport', embeddedPort: 7233 },
      smtpUrl: undefined,
      http: { host: '127.0.0.1', port: 3000, publicUrl: 'http://localhost:3000' },
      dataDir: '/srv/rapport/.rapport',
      pipelinesDir: '/srv/rapport/pipelines',
      postgresPort: 5433,
      logLevel: 'info',
    });
    expect(config.cacheDir).toBe(path.join(os.homedir(), '.cache', 'rapport'));
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        DATABASE_URL: 'postgres://u:p@db:5432/rapport',
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_NAMESPACE: 'recruiting',
        RAPPORT_TASK_QUEUE: 'journeys',
        SMTP_URL: 'smtp://mail:1025',
        PORT: '8080',
        HOST: '0.0.0.0',
        RAPPORT_PUBLIC_URL: 'https://rapport.acme.example/',
        RAPPORT_DATA_DIR: '/var/lib/rapport',
        XDG_CACHE_HOME: '/cache',
        LOG_LEVEL: 'debug',
      },
      '/srv',
    );
    expect(config).toMatchObject({
      databaseUrl: 'postgres://u:p@db:5432/rapport',
      temporal: { address: 'temporal:7233', namespace: 'recruiting', taskQueue: 'journeys' },
      smtpUrl: 'smtp://mail:1025',
      http: { host: '0.0.0.0', port: 8080, publicUrl: 'https://rapport.acme.example' },
      dataDir: '/var/lib/rapport',
      cacheDir: '/cache/rapport',
      logLevel: 'debug',
    });
  });

  it('is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.temporal)).toBe(true);
  });

  it.each([
    ['PORT', '0'],
    ['PORT', '70000'],
    ['PORT', '80a'],
    ['RAPPORT_POSTGRES_PORT', 'x'],
    ['DATABASE_URL', 'localhost/rapport'],
    ['DATABASE_URL', 'mysql://localhost/rapport'],
    ['SMTP_URL', 'http://mail'],
    ['TEMPORAL_ADDRESS', 'temporal'],
    ['LOG_LEVEL', 'verbose'],
  ])('rejects %s=%s with an error naming the variable', (name, value) => {
    const attempt = () => loadConfig({ [name]: value });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^${name}: `));
  });

  it('never repeats a password in an error', () => {
    expect(() => loadConfig({ DATABASE_URL: 'nonsense://user:s3cret@' })).not.toThrow(/s3cret/);
    expect(redact('postgres://user:s3cret@db/x')).toBe('postgres://user:***@db/x');
  });
});
