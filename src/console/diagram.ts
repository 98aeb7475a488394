// A playbook drawn as a diagram, on the server, as SVG: steps top to bottom, an `if`'s or a `waitFor`'s
// branches side by side (then, else), a `repeat` as a frame around its steps, and on each step the
// number of journeys there now. Steps are named as journeys name them (stepName), so the counts of the
// journeys mirror land on the right box. Every label is escaped by the `html` template.
import { html } from 'hono/html';
import { stepName } from '../interpreter/step.js';
import type { PlaybookDefinition, Step } from '../interpreter/types.js';

const BOX_W = 250;
const BOX_H = 46;
const GAP_Y = 26;
const GAP_X = 30;
const PAD = 14;

interface Box {
  name: string;
  label: string;
  detail: string;
  x: number;
  y: number;
}
interface Line {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  label?: string;
}
interface Frame {
  x: number;
  y: number;
  w: number;
  h: number;
  label: string;
}
interface Laid {
  w: number;
  h: number;
  boxes: Box[];
  lines: Line[];
  frames: Frame[];
  /** Where the first box takes its incoming line, and where the last one leaves (relative). */
  top: number;
  exits: { x: number; y: number }[];
}

const short = (text: string, max = 34) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A step's verb and what it does, in a few words. */
export function describe(step: Step): { label: string; detail: string } {
  if ('send' in step) {
    const spec = typeof step.send === 'string' ? { template: step.send } : step.send;
    return {
      label: 'send',
      detail: `${spec.template}${'to' in spec && spec.to === 'owner' ? ' → owner' : ''}`,
    };
  }
  if ('wait' in step)
    return { label: 'wait', detail: typeof step.wait === 'string' ? step.wait : `until ${step.wait.until}` };
  if ('waitFor' in step) {
    const events = [step.waitFor.event].flat().join(' | ');
    return { label: 'wait for', detail: `${events} (${step.waitFor.timeout})` };
  }
  if ('if' in step) return { label: 'if', detail: step.if };
  if ('update' in step)
    return {
      label: 'update',
      detail: Object.keys(step.update.set ?? {})
        .concat(step.update.tags ? ['tags'] : [])
        .concat(step.update.pools ? ['pools'] : [])
        .join(', '),
    };
  if ('task' in step) return { label: 'task', detail: step.task.title };
  if ('enroll' in step) return { label: 'enroll', detail: step.enroll.playbook };
  if ('find' in step) return { label: 'find', detail: 'candidates for the job' };
  if ('webhook' in step)
    return { label: 'webhook', detail: `${step.webhook.method ?? 'POST'} ${step.webhook.url}` };
  if ('repeat' in step) {
    const r = step.repeat;
    return {
      label: 'repeat',
      detail: [
        r.every && `every ${r.every}`,
        r.times && `${r.times}×`,
        r.until && `until ${r.until}`,
        r.forever && 'forever',
      ]
        .filter(Boolean)
        .join(', '),
    };
  }
  return { label: 'exit', detail: 'ends the journey' };
}

function layoutList(steps: readonly Step[], path: (string | number)[], x: number, y: number): Laid {
  const laid: Laid = { w: BOX_W, h: 0, boxes: [], lines: [], frames: [], top: 0, exits: [] };
  let cursor = y;
  let incoming: { x: number; y: number }[] = [];
  steps.forEach((step, i) => {
    const here = [...path, i];
    const name = stepName(step, here);
    const connect = (tx: number, ty: number) => {
      for (const from of incoming) laid.lines.push({ x1: from.x, y1: from.y, x2: tx, y2: ty });
    };
    if ('repeat' in step) {
      const inner = layoutList(step.repeat.steps, [...here, 'repeat', 'steps'], x + PAD, cursor + PAD + 18);
      const frame = {
        x,
        y: cursor,
        w: inner.w + 2 * PAD,
        h: inner.h + 2 * PAD + 18,
        label: `repeat ${describe(step).detail}`,
      };
      laid.frames.push(frame, ...inner.frames);
      laid.boxes.push(...inner.boxes);
      laid.lines.push(...inner.lines);
      connect(x + PAD + BOX_W / 2, cursor + PAD + 18);
      laid.w = Math.max(laid.w, frame.w);
      incoming = inner.exits;
      cursor += frame.h + GAP_Y;
      return;
    }
    const box: Box = { name, ...describe(step), x, y: cursor };
    laid.boxes.push(box);
    connect(x + BOX_W / 2, cursor);
    const bottom = { x: x + BOX_W / 2, y: cursor + BOX_H };
    cursor += BOX_H + GAP_Y;
    const branches = 'if' in step || 'waitFor' in step ? (['then', 'else'] as const) : [];
    if (!branches.length) {
      incoming = [bottom];
      return;
    }
    let bx = x;
    let tallest = 0;
    const exits: { x: number; y: number }[] = [];
    for (const branch of branches) {
      const list = (step as { then?: Step[]; else?: Step[] })[branch] ?? [];
      if (!list.length) {
        exits.push(bottom);
        continue;
      }
      const inner = layoutList(list, [...here, branch], bx, cursor);
      laid.boxes.push(...inner.boxes);
      laid.lines.push(...inner.lines, {
        ...bottom,
        x1: bottom.x,
        y1: bottom.y,
        x2: bx + BOX_W / 2,
        y2: cursor,
        label: branch,
      });
      laid.frames.push(...inner.frames);
      exits.push(...inner.exits);
      tallest = Math.max(tallest, inner.h);
      bx += inner.w + GAP_X;
    }
    laid.w = Math.max(laid.w, bx - x - GAP_X);
    incoming = exits;
    cursor += tallest + (tallest ? GAP_Y : 0);
  });
  laid.h = Math.max(0, cursor - y - GAP_Y);
  laid.exits = incoming;
  return laid;
}

/** The diagram, with each step's count of journeys there now (by step name). */
export function playbookDiagram(definition: PlaybookDefinition, counts: ReadonlyMap<string, number>) {
  const laid = layoutList(definition.steps, ['steps'], 10, 10);
  const width = laid.w + 20 + 60;
  const height = laid.h + 20;
  return html`<svg
    class="diagram"
    role="img"
    aria-labelledby="diagram-title"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
    xmlns="http://www.w3.org/2000/svg"
  >
    <title id="diagram-title">The steps of ${definition.playbook} v${definition.version}</title>
    ${laid.frames.map(
      (f) =>
        html`<g class="frame">
          <rect x="${f.x}" y="${f.y}" width="${f.w}" height="${f.h}" rx="8" />
          <text x="${f.x + 8}" y="${f.y + 16}">${short(f.label, 40)}</text>
        </g>`,
    )}
    ${laid.lines.map(
      (l) =>
        html`<g class="edge">
          <line x1="${l.x1}" y1="${l.y1}" x2="${l.x2}" y2="${l.y2}" />
          ${l.label ? html`<text x="${(l.x1 + l.x2) / 2 + 4}" y="${(l.y1 + l.y2) / 2}">${l.label}</text>` : ''}
        </g>`,
    )}
    ${laid.boxes.map((b) => {
      const n = counts.get(b.name) ?? 0;
      return html`<g class="step${n ? ' busy' : ''}" data-step="${b.name}">
        <rect x="${b.x}" y="${b.y}" width="${BOX_W}" height="${BOX_H}" rx="6" />
        <text class="verb" x="${b.x + 10}" y="${b.y + 18}">${b.label}</text>
        <text x="${b.x + 10}" y="${b.y + 36}">${short(b.detail)}</text>
        ${
          n
            ? html`<g class="count">
                <circle cx="${b.x + BOX_W}" cy="${b.y}" r="14" />
                <text x="${b.x + BOX_W}" y="${b.y + 5}" text-anchor="middle">${n}</text>
              </g>`
            : ''
        }
      </g>`;
    })}
  </svg>`;
}

/** Every step in order with its name, for the table beside the diagram (and for screen readers). */
export function stepList(
  steps: readonly Step[],
  path: (string | number)[] = ['steps'],
  depth = 0,
): { name: string; label: string; detail: string; depth: number }[] {
  return steps.flatMap((step, i) => {
    const here = [...path, i];
    const own = { name: stepName(step, here), ...describe(step), depth };
    const children: { name: string; label: string; detail: string; depth: number }[] = [];
    if ('repeat' in step)
      children.push(...stepList(step.repeat.steps, [...here, 'repeat', 'steps'], depth + 1));
    for (const branch of ['then', 'else'] as const) {
      const list = (step as { then?: Step[]; else?: Step[] })[branch];
      if (list) children.push(...stepList(list, [...here, branch], depth + 1));
    }
    return [own, ...children];
  });
}
