// The send activity's input for a candidate's acknowledgement (the shipped playbook's one send step), as
// the candidate workflow would give it: for tests that call the activity directly.
import type { SendInput } from '../../workflows/contract.js';

export function acknowledgementInput(candidateId: string): SendInput {
  return {
    workflowId: `candidate/${candidateId}`,
    journeyId: `engage-acknowledge-application:evt-${candidateId}`,
    candidateId,
    playbook: { id: 'engage-acknowledge-application', version: 1 },
    step: 'acknowledge',
    iteration: 0,
    template: 'application-received',
    channel: 'email',
    to: 'candidate',
    event: null,
    startedAt: '2026-01-05T09:00:00.000Z',
  };
}
