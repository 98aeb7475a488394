// Every operation of the console, defined and authenticated like the API's (src/http/operation.ts):
// pages and forms need a session whose key has the operation's scope; sign-in and the assets are public.
import type { Operation } from '../http/operation.js';
import { assetOperations } from './assets.js';
import { attentionOperations } from './attention.js';
import { campaignPageOperations } from './campaigns.js';
import { candidatePageOperations } from './candidates.js';
import { funnelOperations } from './funnel.js';
import { jobPageOperations } from './jobs.js';
import { outboxPageOperations } from './outbox.js';
import { playbookPageOperations } from './playbooks.js';
import { recruitingEventPageOperations } from './recruiting-events.js';
import { signInOperations } from './sign-in.js';

export const CONSOLE_OPERATIONS: readonly Operation[] = [
  ...attentionOperations,
  ...candidatePageOperations,
  ...funnelOperations,
  ...jobPageOperations,
  ...campaignPageOperations,
  ...recruitingEventPageOperations,
  ...outboxPageOperations,
  ...playbookPageOperations,
  ...signInOperations,
  ...assetOperations,
];
