// Builds the pieces a process shares (database client, templates, mailer, playbooks) from the config,
// and closes them in reverse order.
import path from 'node:path';
import type { ActivityDeps } from '../activities/index.js';
import type { TemporalDeps } from '../activities/jobs.js';
import { createSql, type Sql } from '../db/client.js';
import type { Config } from '../config/index.js';
import { latestPlaybooks } from '../db/playbook-versions.js';
import type { PlaybookDefinition } from '../interpreter/index.js';
import { createMailer, type Mailer } from '../mail/mailer.js';
import { createSmsProvider } from '../sms/provider.js';
import { loadLinkSigner } from '../links/tokens.js';
import { loadTemplates } from '../templates/engine.js';
import { loadPolicy } from '../playbook/policy.js';
import { loadOrg } from '../playbook/org.js';

export interface Services {
  sql: Sql;
  mailer: Mailer | undefined;
  activityDeps: ActivityDeps;
  close(): Promise<void>;
}

export async function createServices(
  config: Config,
  databaseUrl: string,
  temporal: TemporalDeps,
): Promise<Services> {
  const sql = createSql(databaseUrl);
  const mailer = config.smtpUrl ? createMailer(config.smtpUrl) : undefined;
  return {
    sql,
    mailer,
    activityDeps: {
      sql,
      mailer,
      sms: config.sms.url ? createSmsProvider(config.sms.url, config.sms.token) : undefined,
      links: { publicUrl: config.http.publicUrl, signer: await loadLinkSigner(sql) },
      templates: await loadTemplates(path.join(config.pipelinesDir, 'templates')),
      playbooks: publishedPlaybooks(sql),
      policy: await loadPolicy(config.pipelinesDir),
      mailFrom: config.mailFrom,
      org: await loadOrg(config.pipelinesDir, config.orgName),
      temporal,
    },
    async close() {
      mailer?.close();
      await sql.end({ timeout: 5 });
    },
  };
}

/** The latest published playbooks, read again at most every few seconds so a publish takes effect soon. */
export function publishedPlaybooks(
  sql: Sql,
  maxAgeMs = 5000,
): () => Promise<ReadonlyMap<string, PlaybookDefinition>> {
  let cached: { at: number; value: Promise<ReadonlyMap<string, PlaybookDefinition>> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > maxAgeMs) {
      const value = latestPlaybooks(sql);
      cached = { at: Date.now(), value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}
