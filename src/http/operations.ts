// Every operation the HTTP API serves, in the order the reference lists them. The router, the OpenAPI
// document and the reference page all read this one list.
import { CONSOLE_OPERATIONS } from '../console/operations.js';
import { campaignOperations } from './campaigns.js';
import { candidateRecordOperations } from './candidate-records.js';
import { candidateOperations } from './candidates.js';
import { enrollmentOperations } from './enrollment.js';
import { eventOperations } from './events.js';
import { healthOperations } from './health.js';
import { inboundOperations } from './inbound.js';
import { jobOperations } from './jobs.js';
import { journeyOperations } from './journeys.js';
import { metricsOperations } from './metrics.js';
import { operation, type Operation } from './operation.js';
import { openApiDocument, referencePage } from './openapi.js';
import { outboxOperations } from './outbox.js';
import { playbookOperations } from './playbooks.js';
import { poolOperations } from './pools.js';
import { recruitingEventOperations } from './recruiting-events.js';
import { sourceOperations } from './sources.js';
import { trackingOperations } from './tracking.js';
import { unsubscribeOperations } from './unsubscribe.js';

const resources: Operation[] = [
  ...eventOperations,
  ...candidateOperations,
  ...candidateRecordOperations,
  ...enrollmentOperations,
  ...journeyOperations,
  ...jobOperations,
  ...poolOperations,
  ...campaignOperations,
  ...recruitingEventOperations,
  ...playbookOperations,
  ...outboxOperations,
  ...trackingOperations,
  ...inboundOperations,
  ...sourceOperations,
  ...unsubscribeOperations,
  ...healthOperations,
  ...metricsOperations,
];

const DOCUMENTATION = { public: 'the API’s own documentation' };

export const OPERATIONS: readonly Operation[] = [
  ...resources,
  ...CONSOLE_OPERATIONS,
  operation({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document: OpenAPI 3.1, self-contained',
    access: DOCUMENTATION,
    standalone: true,
    answers: { 200: { description: 'The document' } },
    handle: (c) => c.json(openApiDocument(OPERATIONS)),
  }),
  operation({
    method: 'get',
    path: '/docs',
    summary: 'The API reference as a page',
    access: DOCUMENTATION,
    standalone: true,
    answers: { 200: { description: 'The page', mediaType: 'text/html' } },
    handle: (c) => c.html(referencePage(OPERATIONS)),
  }),
];
