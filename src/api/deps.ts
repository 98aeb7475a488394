// What the HTTP API needs from the rest of the process.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Sql } from '../db/client.js';

export interface ApiDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  log: Logger;
}
