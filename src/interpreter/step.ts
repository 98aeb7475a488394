// The pure playbook interpreter: step(state, input) → new state + commands. It never reads a clock and
// never performs I/O; time arrives in inputs and leaves as "sleep until" commands.
import { addDuration, parseDuration } from './duration.js';
import type { Command, Input, JourneyState, PlaybookDefinition, Step, StepResult } from './types.js';

export function startJourney(
  id: string,
  definition: PlaybookDefinition,
  at: string,
  event?: JourneyState['event'],
): StepResult {
  const state: JourneyState = {
    id,
    definition,
    ...(event ? { event } : {}),
    pc: 0,
    status: 'running',
    startedAt: at,
    awaiting: null,
    iterations: {},
  };
  return step(state, { type: 'start', at });
}

export function step(previous: JourneyState, input: Input): StepResult {
  if (previous.status === 'completed' || previous.status === 'exited')
    return { state: previous, commands: [] };
  // Journey state is plain JSON by contract; a JSON copy keeps the input untouched.
  const state = JSON.parse(JSON.stringify(previous)) as JourneyState;

  switch (input.type) {
    case 'event':
      if (state.definition.exit?.on.includes(input.event.type)) return end(state, 'exited', input.event.type);
      return { state, commands: [] };
    case 'sent':
      if (state.awaiting?.kind !== 'send' || state.awaiting.step !== input.step)
        return { state, commands: [] };
      state.awaiting = null;
      break;
    case 'timer':
      if (state.awaiting?.kind !== 'timer' || input.at < state.awaiting.until) return { state, commands: [] };
      state.awaiting = null;
      break;
    case 'start':
      break;
  }
  return advance(state, input.at);
}

/** Runs steps from `pc` until one needs the outside world (a send, a timer) or the journey ends. */
function advance(state: JourneyState, at: string): StepResult {
  state.status = 'running';
  const steps = state.definition.steps;
  while (state.pc < steps.length) {
    const current = steps[state.pc]!;
    const path = stepPath(current, state.pc);
    state.pc += 1;
    state.iterations[path] = (state.iterations[path] ?? 0) + 1;
    const command = run(current, path, state, at);
    if (command?.type === 'end') return end(state, command.status, command.reason);
    if (command) {
      state.status = 'waiting';
      state.awaiting =
        command.type === 'send' ? { kind: 'send', step: path } : { kind: 'timer', until: command.until };
      return { state, commands: [command] };
    }
  }
  return end(state, 'completed', 'completed');
}

function run(current: Step, path: string, state: JourneyState, at: string): Command | undefined {
  if ('send' in current) {
    const spec = typeof current.send === 'string' ? { template: current.send } : current.send;
    return {
      type: 'send',
      step: path,
      iteration: state.iterations[path]! - 1,
      template: spec.template,
      channel: spec.channel ?? 'email',
    };
  }
  if ('wait' in current) {
    const duration = parseDuration(current.wait);
    if (!duration) throw new Error(`Step ${path}: "${current.wait}" is not a duration`);
    return { type: 'sleep', step: path, until: addDuration(at, duration) };
  }
  return { type: 'end', status: 'exited', reason: current.exit };
}

function end(state: JourneyState, status: 'completed' | 'exited', reason: string): StepResult {
  state.status = status;
  state.awaiting = null;
  state.exitReason = reason;
  return { state, commands: [{ type: 'end', status, reason }] };
}

/** A step's stable name: its id, or its position when it has none. */
export function stepPath(current: Step, index: number): string {
  return current.id ?? `#${index + 1}`;
}
