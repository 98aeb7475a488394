// Builds the pieces a process shares (database client, templates, mailer, playbooks) from the config,
// and closes them in reverse order.
import path from 'node:path';
import type { ActivityDeps } from '../activities/index.js';
import { createSql, type Sql } from '../db/client.js';
import type { Config } from '../config/index.js';
import type { PlaybookDefinition } from '../interpreter/index.js';
import { createMailer, type Mailer } from '../mail/mailer.js';
import { loadPlaybooks } from '../playbook/load.js';
import { loadTemplates } from '../templates/engine.js';

export interface Services {
  sql: Sql;
  mailer: Mailer | undefined;
  activityDeps: ActivityDeps;
  close(): Promise<void>;
}

export async function createServices(config: Config, databaseUrl: string): Promise<Services> {
  const playbooks: ReadonlyMap<string, PlaybookDefinition> = await loadPlaybooks(config.pipelinesDir);
  const sql = createSql(databaseUrl);
  const mailer = config.smtpUrl ? createMailer(config.smtpUrl) : undefined;
  return {
    sql,
    mailer,
    activityDeps: {
      sql,
      mailer,
      templates: await loadTemplates(path.join(config.pipelinesDir, 'templates')),
      playbooks: () => playbooks,
      mailFrom: config.mailFrom,
      orgName: config.orgName,
    },
    async close() {
      mailer?.close();
      await sql.end({ timeout: 5 });
    },
  };
}
