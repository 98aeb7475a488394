// GET /metrics in the Prometheus text format: events accepted by this process (by type and whether they
// were new), and, read from PostgreSQL at each scrape, journeys by playbook and status, messages by
// channel and outcome, source payloads that did not become events, and failed activity attempts (counted by the workers, see src/worker/failure-counter.ts).
// Those reads are aggregate queries over whole tables, so a scrape needs an API key with `metrics:read`
// (Prometheus sends it as a bearer token).
import { operation } from './operation.js';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/client.js';
import { activityFailureCounts } from '../db/activity-failures.js';
import { countJourneys } from '../db/journeys.js';
import { countMessages } from '../db/messages.js';
import { payloadCounts } from '../db/source-payloads.js';

export interface Metrics {
  registry: Registry;
  eventAccepted(type: string, duplicate: boolean): void;
}

export function createMetrics(db: Db): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rapport_api_' });
  const events = new Counter({
    name: 'rapport_events_accepted_total',
    help: 'Events accepted by POST /v1/events and the source webhooks.',
    labelNames: ['type', 'duplicate'],
    registers: [registry],
  });
  new Gauge({
    name: 'rapport_journeys',
    help: 'Journeys by playbook and status.',
    labelNames: ['playbook', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await countJourneys(db);
      for (const r of rows) this.set({ playbook: r.playbook, status: r.status }, r.n);
    },
  });
  new Gauge({
    name: 'rapport_messages',
    help: 'Messages in the outbox by channel and outcome (sent, suppressed, failed, unknown, …).',
    labelNames: ['channel', 'status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await countMessages(db);
      for (const r of rows) this.set({ channel: r.channel, status: r.status }, r.n);
    },
  });
  new Counter({
    name: 'rapport_activity_failures_total',
    help: 'Failed activity attempts, by activity and failure type (counted by the workers).',
    labelNames: ['activity', 'kind'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await activityFailureCounts(db);
      for (const r of rows) this.inc({ activity: r.activity, kind: r.kind }, r.n);
    },
  });
  new Counter({
    name: 'rapport_source_payloads_total',
    help: 'Source payloads that did not become an event, by source, outcome (unmapped: no rule or an invalid event, kept 30 days for `rapport sources replay`; enrichment_failed: the vendor API read failed for good) and reason.',
    labelNames: ['source', 'outcome', 'reason'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await payloadCounts(db);
      for (const r of rows) this.inc({ source: r.source, outcome: r.outcome, reason: r.reason }, r.n);
    },
  });
  return {
    registry,
    eventAccepted: (type, duplicate) => events.inc({ type, duplicate: String(duplicate) }),
  };
}

export const metricsOperations = [
  operation({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics: events accepted, journeys by status, messages by outcome',
    description:
      'Scraped by Prometheus with an API key as a bearer token (`authorization: { type: Bearer, credentials_file: … }`). Each scrape runs aggregate queries on PostgreSQL.',
    access: { scope: 'metrics:read' },
    answers: { 200: { description: 'The Prometheus text format', mediaType: 'text/plain' } },
    async handle(c, _request, deps) {
      const { registry } = deps.metrics!;
      return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
    },
  }),
];
