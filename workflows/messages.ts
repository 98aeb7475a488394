// Signals and queries of the candidate workflow, shared by the workflow and its callers.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CandidateEvent } from '../src/domain.js';
import type { JourneyState } from '../src/interpreter/index.js';

export const eventSignal = defineSignal<[CandidateEvent]>('event');
export const journeysQuery = defineQuery<JourneyState[]>('journeys');

export function candidateWorkflowId(candidateId: string): string {
  return `candidate/${candidateId}`;
}

export interface CandidateWorkflowInput {
  candidateId: string;
  /** Carried across continue-as-new. */
  journeys?: JourneyState[];
  pending?: CandidateEvent[];
  seenEventIds?: string[];
}
