// The interpreter's data: a pinned playbook definition, journey state, inputs and commands.
// Everything here is plain JSON so that it crosses Temporal boundaries and continue-as-new unchanged.

export interface SendStep {
  id: string;
  send: string | { template: string; channel?: 'email' | 'sms' };
}
export interface WaitStep {
  id?: string;
  wait: string;
}
export interface ExitStep {
  id?: string;
  exit: string;
}
export type Step = SendStep | WaitStep | ExitStep;

/** A validated playbook, as pinned in a journey's state. */
export interface PlaybookDefinition {
  playbook: string;
  stage: 'discover' | 'attract' | 'engage' | 'nurture' | 'hire';
  for?: 'candidate' | 'job';
  version: number;
  title?: string;
  owner?: string;
  enroll: { on: string[] };
  exit?: { on: string[] };
  goal?: string;
  steps: Step[];
}

export type JourneyStatus = 'running' | 'waiting' | 'completed' | 'exited';

export interface JourneyState {
  id: string;
  definition: PlaybookDefinition;
  /** Index of the next step to run. */
  pc: number;
  status: JourneyStatus;
  startedAt: string;
  /** The event that enrolled the subject, in scope as `event`. */
  event?: { id: string; type: string; source: string; occurred_at: string; data: Record<string, unknown> };
  /** The command the journey waits on, if any. */
  awaiting: { kind: 'send'; step: string } | { kind: 'timer'; until: string } | null;
  /** How often each step has run, so that a send in a loop gets a fresh idempotency key. */
  iterations: Record<string, number>;
  exitReason?: string;
}

export type Input =
  | { type: 'start'; at: string }
  | { type: 'timer'; at: string }
  | { type: 'sent'; at: string; step: string; outcome: string }
  | { type: 'event'; at: string; event: { id: string; type: string } };

export type Command =
  | { type: 'send'; step: string; iteration: number; template: string; channel: 'email' | 'sms' }
  | { type: 'sleep'; step: string; until: string }
  | { type: 'end'; status: 'completed' | 'exited'; reason: string };

export interface StepResult {
  state: JourneyState;
  commands: Command[];
}
