// Mapping a source's payload to a Rapport event with the source's rules (pipelines/sources/<source>.yaml):
// the first rule whose `when` holds, rendered over `payload`, `headers` and the rule's `reads`. Hiring
// progress comes out in one vocabulary (src/sources/stages.ts): `data.stage` with its kind, and on a
// rejection `data.reason` and `data.furthest_stage`.
import type { EventInput } from '../domain.js';
import type { SourceMapping, SourceRule, StageRef } from '../playbook/sources.js';
import { sourceLiquid as liquid } from './liquid.js';
import { classifyStage, kindOfType, type Stage, type StageKind } from './stages.js';

export interface SourceScope {
  payload: unknown;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The answers of the rule's reads, by name. */
  reads?: Record<string, unknown>;
}

const holds = (condition: string, scope: SourceScope) =>
  String(liquid.parseAndRenderSync(`{% if ${condition} %}yes{% endif %}`, scope)).trim() === 'yes';

/** Whether the payload is the sender's test or ping request. */
export function isPing(mapping: SourceMapping, scope: SourceScope): boolean {
  return mapping.ping !== undefined && holds(mapping.ping, scope);
}

/** The index of the first rule whose `when` holds; undefined when none does. */
export function matchRule(mapping: SourceMapping, scope: SourceScope): number | undefined {
  const index = mapping.events.findIndex((rule) => holds(rule.when, scope));
  return index === -1 ? undefined : index;
}

/** The rule's event id, from the payload and headers alone (it names the delivery before any read). */
export function ruleEventId(rule: SourceRule, scope: SourceScope): string | undefined {
  return rule.id === undefined ? undefined : render(rule.id, scope) || undefined;
}

/**
 * The event the rule makes of the payload (not yet validated). A stage change to a stage of kind `hired`
 * or `rejected` is that outcome's event.
 */
export function mapEvent(
  mapping: SourceMapping,
  rule: SourceRule,
  scope: SourceScope,
): Omit<EventInput, 'source'> {
  const candidate = Object.fromEntries(
    Object.entries(rule.candidate)
      .map(([key, template]) => [key, render(template, scope)] as const)
      .filter(([, value]) => value !== ''),
  );
  const id = ruleEventId(rule, scope);
  const occurredAt = rule.occurred_at === undefined ? '' : render(rule.occurred_at, scope);
  const given = rule.data_from
    ? (liquid.evalValueSync(rule.data_from, scope) as unknown)
    : rule.data && renderDeep(rule.data, scope);
  const data: Record<string, unknown> =
    given && typeof given === 'object' && !Array.isArray(given)
      ? { ...(given as Record<string, unknown>) }
      : {};
  let type = render(rule.type, scope);

  const stage = stageOf(mapping, rule.stage, scope);
  if (type === 'candidate.stage_changed' && (stage?.kind === 'hired' || stage?.kind === 'rejected'))
    type = `candidate.${stage.kind}`;
  const implied = kindOfType(type);
  if (!rule.stage && data.stage !== undefined) {
    // The sender gives the vocabulary itself (the generic source): its data is kept as it is.
  } else if (implied === 'rejected' || implied === 'hired') {
    data.stage = { name: stage?.name ?? LABELS[implied], kind: implied };
    const reached = stageOf(mapping, rule.furthest_stage, scope);
    if (reached && reached.kind !== 'rejected') data.furthest_stage = reached;
    else if (stage && stage.kind !== 'rejected' && stage.kind !== implied) data.furthest_stage = stage;
  } else if (stage) data.stage = stage;
  else if (implied && data.stage === undefined) data.stage = { name: LABELS[implied], kind: implied };
  const reason = rule.reason === undefined ? '' : render(rule.reason, scope);
  if (reason) data.reason = clip(reason, 500);

  return {
    type,
    ...(id ? { id } : {}),
    ...(occurredAt ? { occurred_at: occurredAt } : {}),
    candidate: candidate as unknown as EventInput['candidate'] & object,
    ...(Object.keys(data).length ? { data } : {}),
  };
}

const LABELS: Record<StageKind, string> = {
  applied: 'Applied',
  screen: 'Screen',
  interview: 'Interview',
  offer: 'Offer',
  hired: 'Hired',
  rejected: 'Rejected',
};

function stageOf(mapping: SourceMapping, ref: StageRef | undefined, scope: SourceScope): Stage | undefined {
  if (!ref) return undefined;
  const name = render(ref.name, scope);
  if (!name) return undefined;
  const type = ref.type === undefined ? undefined : render(ref.type, scope);
  return { name: clip(name, 200), kind: classifyStage(name, type, mapping.stage_kinds) };
}

function render(text: string, scope: SourceScope): string {
  return String(liquid.parseAndRenderSync(text, scope)).trim();
}

/**
 * The rule's data rendered; what renders empty is left out (a payload without a job has no `job`), since
 * Liquid holds an empty string true and templates would print "for the  role".
 */
function renderDeep(value: unknown, scope: SourceScope): unknown {
  if (typeof value === 'string') return render(value, scope) || undefined;
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, scope)).filter((v) => v !== undefined);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .map(([k, v]) => [k, renderDeep(v, scope)] as const)
      .filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value;
}

/** ATS free text fits the event schema's limits (a stage name 200 characters, a reason 500). */
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
