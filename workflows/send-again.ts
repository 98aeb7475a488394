// One workflow per message a recruiter sends again after its delivery was unknown
// (`message-again/<message id>`): the `sendAgain` activity creates the message's second row (once) and
// delivers it, retried with backoff while the provider fails for a while, as a journey's send is.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../src/activities/index.js';
import type { SendAgainInput, SendAgainResult } from './contract.js';

const { sendAgain } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A delivery heartbeats: an attempt on a worker that died is retried within seconds, not minutes.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});

export async function sendAgainWorkflow(input: SendAgainInput): Promise<SendAgainResult> {
  return await sendAgain(input);
}
