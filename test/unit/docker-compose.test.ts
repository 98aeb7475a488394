// No Docker engine runs here: the production topology is checked by reading it. Services, ports and
// variables must agree with the configuration module and with each other.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/config/keys.js';
import { loadConfig } from '../../src/config/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}
const compose = parse(fs.readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const known = new Set<string>(CONFIG_KEYS.map((k) => k.name));
const rapportServices = ['migrate', 'api', 'worker'];
const hostPorts = (s: Service) => (s.ports ?? []).map((p) => p.split(':').map(Number) as [number, number]);

describe('docker-compose.yml', () => {
  it('has the production topology', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'mailpit',
      'migrate',
      'postgres',
      'temporal',
      'temporal-namespace',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
    expect(services.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    for (const name of rapportServices) {
      expect(services[name]!.build).toBe('.');
      expect(services[name]!.command).toEqual([name]);
    }
  });

  it('configures Rapport only through variables the configuration module knows, and loads cleanly', () => {
    for (const name of rapportServices) {
      const env = services[name]!.environment ?? {};
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
      const config = loadConfig(env);
      expect(config.databaseUrl, name).toBeDefined();
      expect(config.temporal.address, name).toBeDefined();
    }
  });

  it('points Rapport at the services it runs', () => {
    const api = loadConfig(services.api!.environment);
    const worker = loadConfig(services.worker!.environment);
    const db = new URL(api.databaseUrl!);
    expect(db.hostname).toBe('postgres');
    expect(services.postgres!.environment).toMatchObject({
      POSTGRES_USER: db.username,
      POSTGRES_PASSWORD: db.password,
      POSTGRES_DB: db.pathname.slice(1),
    });
    const [temporalHost, temporalPort] = api.temporal.address!.split(':');
    expect(temporalHost).toBe('temporal');
    expect(hostPorts(services.temporal!).map(([, inner]) => inner)).toContain(Number(temporalPort));
    const smtp = new URL(worker.smtpUrl!);
    expect(smtp.hostname).toBe('mailpit');
    expect(hostPorts(services.mailpit!).map(([, inner]) => inner)).toContain(Number(smtp.port));
    expect(api.http.host).toBe('0.0.0.0');
    expect(hostPorts(services.api!).map(([, inner]) => inner)).toContain(api.http.port);
    expect(api.temporal.taskQueue).toBe(worker.temporal.taskQueue);
    expect(String(services['temporal-namespace']!.command)).toContain(`-n ${api.temporal.namespace} `);
  });

  it('has a Dockerfile whose entry point is the rapport command', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "bin\/rapport\.js"\]$/m);
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev/m);
  });

  it('runs the production build: compiled code, the prebuilt workflow bundle and the files they read', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^ENV NODE_ENV=production$/m);
    for (const copied of ['dist', 'src/db/migrations', 'schemas', 'pipelines', 'bin'])
      expect(dockerfile, copied).toMatch(new RegExp(`^COPY .*${copied} \\./${copied}$`, 'm'));
  });
});

describe('README.md', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  it('documents every environment variable in its configuration table', () => {
    for (const key of CONFIG_KEYS) expect(readme, key.name).toContain(`| \`${key.name}\``);
  });
  it('gives the two commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});
