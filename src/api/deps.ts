// What the HTTP API needs from the rest of the process.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Sql } from '../db/client.js';
import type { SourceMapping } from '../playbook/sources.js';

export interface ApiDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  log: Logger;
  /** Job-board and ATS webhook mappings (pipelines/sources/), by source id. */
  sources: ReadonlyMap<string, SourceMapping>;
}
