// A playbook as a Mermaid flowchart (`rapport graph`), for reviews and the console.
import type { PlaybookDefinition, Step } from '../interpreter/types.js';

export function toMermaid(definition: PlaybookDefinition): string {
  const lines = [
    'flowchart TD',
    `  start(["${escape(`${definition.playbook} v${definition.version} — on ${definition.enroll.on.join(', ')}`)}"])`,
  ];
  let counter = 0;
  const node = (label: string, shape: 'box' | 'diamond' | 'round' = 'box') => {
    const id = `n${++counter}`;
    const text = escape(label);
    lines.push(
      `  ${id}${shape === 'diamond' ? `{"${text}"}` : shape === 'round' ? `(["${text}"])` : `["${text}"]`}`,
    );
    return id;
  };
  const edge = (from: string, to: string, label?: string) =>
    lines.push(`  ${from} -->${label ? `|${escape(label)}|` : ''} ${to}`);

  /** Draws a list of steps after `from`; returns the nodes whose flow continues after the list. */
  const draw = (steps: Step[], from: string[], label?: string): string[] => {
    let tails = from;
    let pending = label;
    for (const s of steps) {
      const { id, continues } = drawStep(s);
      for (const t of tails) edge(t, id, pending);
      pending = undefined;
      tails = continues;
    }
    return tails;
  };
  const drawStep = (s: Step): { id: string; continues: string[] } => {
    const name = s.id ? `${s.id}: ` : '';
    if ('send' in s)
      return single(node(`${name}send ${typeof s.send === 'string' ? s.send : s.send.template}`));
    if ('wait' in s)
      return single(
        node(`${name}wait ${typeof s.wait === 'string' ? s.wait : `until ${s.wait.until}`}`, 'round'),
      );
    if ('update' in s) return single(node(`${name}update`));
    if ('task' in s) return single(node(`${name}task: ${s.task.title}`));
    if ('enroll' in s) return single(node(`${name}enroll in ${s.enroll.playbook}`));
    if ('find' in s) return single(node(`${name}find up to ${s.find.limit} candidates`));
    if ('webhook' in s) return single(node(`${name}webhook ${s.webhook.method ?? 'POST'}`));
    if ('exit' in s) return { id: node(`exit: ${s.exit}`, 'round'), continues: [] };
    if ('if' in s || 'waitFor' in s) {
      const question =
        'if' in s ? s.if : `${[s.waitFor.event].flat().join(' or ')} within ${s.waitFor.timeout}?`;
      const id = node(`${name}${question}`, 'diamond');
      const yes = s.then?.length ? draw(s.then, [id], 'waitFor' in s ? 'received' : 'yes') : [id];
      const no = s.else?.length ? draw(s.else, [id], 'waitFor' in s ? 'timed out' : 'no') : [id];
      return { id, continues: [...new Set([...yes, ...no])] };
    }
    const bound = s.repeat.times
      ? `${s.repeat.times} times`
      : s.repeat.until
        ? `until ${s.repeat.until}`
        : 'forever';
    const id = node(`${name}repeat ${bound}${s.repeat.every ? ` every ${s.repeat.every}` : ''}`, 'diamond');
    const tails = draw(s.repeat.steps, [id], 'next');
    for (const t of tails) edge(t, id, 'again');
    return { id, continues: [id] };
  };
  const single = (id: string) => ({ id, continues: [id] });

  const tails = draw(definition.steps, ['start']);
  const done = node('completed', 'round');
  for (const t of tails) edge(t, done, tails.length > 1 ? undefined : undefined);
  return lines.join('\n');
}

function escape(text: string): string {
  return text.replace(/"/g, '#quot;');
}
