// What the HTTP API needs from the rest of the process.
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Sql } from '../db/client.js';
import type { SourceMapping } from '../playbook/sources.js';
import type { LinkSigner } from '../links/tokens.js';
import type { Metrics } from './metrics.js';
import type { EventDelivery } from '../intake/event-delivery.js';
import type { TemplateEngine } from '../templates/engine.js';
import type { ContactPolicy, OrgContent } from '../interpreter/index.js';

export interface ApiDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  log: Logger;
  /** Job-board and ATS webhook mappings (pipelines/sources/), by source id. */
  sources: ReadonlyMap<string, SourceMapping>;
  /** Verifies the signed links of the public unsubscribe pages. */
  links: LinkSigner;
  /** Where the site is served (RAPPORT_PUBLIC_URL); without it, the origin each request was sent to. */
  publicUrl?: string;
  /** Prometheus metrics (/metrics); made by createApp when not given. */
  metrics?: Metrics;
  /** The queue that takes accepted events to their workflows; made by createApp when not given. */
  delivery?: EventDelivery;
  /** The message templates: playbook validation checks against them, simulation renders subjects. */
  templates?: TemplateEngine;
  /** `org` in simulated templates (pipelines/org.yaml, RAPPORT_ORG_NAME). */
  org?: OrgContent;
  /** The contact policy simulations apply, as the workers do. */
  policy?: ContactPolicy | undefined;
  /** Answers that do not match their documented schema become 500s (tests); otherwise they are logged. */
  strictResponses?: boolean;
  /** How long a verified API key is remembered (default KEY_CACHE_MS); 0 asks PostgreSQL every time. */
  keyCacheMs?: number;
  /** How long a request waits for a workflow's answer (an enrollment) before a 503 (default 10 s). */
  workflowAnswerMs?: number;
  /** Requests per second per API key, and for the inbound-mail provider (RAPPORT_RATE_LIMIT); 0 or unset: no limit. */
  rateLimit?: number;
  /** The secret the inbound-mail provider presents (RAPPORT_INBOUND_EMAIL_SECRET); unset: no reply is taken. */
  inboundEmailSecret?: string | undefined;
}
