// Moving a journey to another version of its playbook. A journey at rest waits at one step (a timer or
// an event); it moves to the step of the same name in the new version (ids, or positions for steps
// without one), keeping its timers, loop counts and effect iterations. A step the new version lacks, or
// one that became another kind of step, is reported and nothing changes.
import { isOver, stepName, stepsAt } from './step.js';
import type { Frame, JourneyState, PlaybookDefinition, Step } from './types.js';

export type Migration =
  | { ok: true; state: JourneyState }
  /** `busy`: the journey is carrying out a step and can move once it rests. */
  | { ok: false; reason: string; busy?: true };

interface Located {
  /** The frames that put the journey at this step, outermost first. */
  frames: Frame[];
  step: Step;
}

export function migrateJourney(state: JourneyState, to: PlaybookDefinition, at: string): Migration {
  if (to.playbook !== state.definition.playbook)
    return { ok: false, reason: `version ${to.version} belongs to ${to.playbook}` };
  if (isOver(state)) return { ok: true, state: { ...state, definition: to } };
  const awaiting = state.awaiting;
  if (!awaiting || awaiting.kind === 'effect')
    return { ok: false, busy: true, reason: 'the journey is carrying out a step; migrate it once it waits' };
  const found = locate(to, awaiting.step, at);
  if (!found) return { ok: false, reason: `step ${awaiting.step} is not in version ${to.version}` };
  const wanted =
    awaiting.kind === 'event'
      ? 'waitFor'
      : awaiting.reason === 'wait'
        ? 'wait'
        : awaiting.reason === 'repeat'
          ? 'repeat'
          : 'send';
  if (!(wanted in found.step))
    return {
      ok: false,
      reason: `step ${awaiting.step} is a ${wanted} in version ${state.definition.version} but not in version ${to.version}`,
    };

  // Loops keep their count and schedule when the repeat step is still there under the same name.
  const loops = new Map<string, Frame['loop']>();
  for (const [i, frame] of state.frames.entries()) {
    const parent = state.frames[i - 1];
    if (!frame.loop || !parent) continue;
    const repeat = stepsAt(state.definition, parent.list)[parent.pc];
    if (repeat) loops.set(stepName(repeat, [...parent.list, parent.pc]), frame.loop);
  }
  const frames = found.frames.map((frame, i) => {
    if (!frame.loop) return frame;
    const parent = found.frames[i - 1]!;
    const repeat = stepsAt(to, parent.list)[parent.pc]!;
    return { ...frame, loop: loops.get(stepName(repeat, [...parent.list, parent.pc])) ?? frame.loop };
  });
  const step = found.step;
  const next =
    awaiting.kind === 'event' && 'waitFor' in step
      ? { ...awaiting, types: [step.waitFor.event].flat() }
      : awaiting;
  return { ok: true, state: { ...state, definition: to, frames, awaiting: next } };
}

/** Where a step named `name` sits in a definition, as the frames a journey waiting there would have. */
function locate(definition: PlaybookDefinition, name: string, at: string): Located | undefined {
  const loop = { index: 0, startedAt: at };
  /** `inLoop`: the list is a repeat's body, whose frame carries the loop's count. */
  const search = (list: (string | number)[], outer: Frame[], inLoop = false): Located | undefined => {
    const frame = (pc: number): Frame => ({ list, pc, ...(inLoop ? { loop } : {}) });
    for (const [index, step] of stepsAt(definition, list).entries()) {
      const path = [...list, index];
      const here = [...outer, frame(index)];
      if (stepName(step, path) === name) {
        // A repeat waits between iterations inside its body, at the body's first step.
        const body = { list: [...path, 'repeat', 'steps'], pc: 0, loop };
        return { step, frames: 'repeat' in step ? [...here, body] : here };
      }
      for (const branch of ['then', 'else'] as const) {
        if (!(step as { then?: Step[]; else?: Step[] })[branch]?.length) continue;
        // Inside a branch, the owning list has already moved past the if/waitFor step.
        const found = search([...path, branch], [...outer, frame(index + 1)]);
        if (found) return found;
      }
      if ('repeat' in step) {
        const found = search([...path, 'repeat', 'steps'], here, true);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(['steps'], []);
}
