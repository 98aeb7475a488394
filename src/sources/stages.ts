// One vocabulary for hiring progress, whatever the ATS: a stage is its name as the ATS says it and its
// kind (schemas/stage.schema.json). A source mapping's `stage_kinds` classify its vendor's stage types and
// names first; the patterns below classify the names ATSs commonly ship; an unknown name is a screen, the
// kind that starts no playbook meant for finalists.

export const STAGE_KINDS = ['applied', 'screen', 'interview', 'offer', 'hired', 'rejected'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export interface Stage {
  name: string;
  kind: StageKind;
}

/** How far a kind is along a hiring process; a rejection is no progress. */
export function progress(kind: StageKind): number {
  return kind === 'rejected' ? 0 : STAGE_KINDS.indexOf(kind) + 1;
}

/** A mapping's rule for its vendor: a stage whose type and name match (case-insensitive) is of this kind. */
export interface StageKindRule {
  kind: StageKind;
  type?: string;
  name?: string;
}

const COMMON: StageKindRule[] = [
  { kind: 'rejected', name: 'reject|disqualif|archiv|declin|not selected' },
  { kind: 'hired', name: '^hired?\\b|\\bhired$|onboard' },
  { kind: 'offer', name: 'offer' },
  {
    kind: 'interview',
    name: 'interview|on-?site|face[ -]to[ -]face|panel|final round|technical|assessment|case study|debrief|reference',
  },
  { kind: 'applied', name: '^appl|^new\\b|^lead|sourced|prospect|inbox|reached out' },
  { kind: 'screen', name: 'screen|review|phone|call|shortlist|qualif' },
];

const compiled = new Map<string, RegExp>();
const regex = (pattern: string) => {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RegExp(pattern, 'i')));
  return re;
};

function matches(rule: StageKindRule, name: string, type: string | undefined): boolean {
  if (rule.type !== undefined && !(type !== undefined && regex(rule.type).test(type))) return false;
  if (rule.name !== undefined && !regex(rule.name).test(name)) return false;
  return rule.type !== undefined || rule.name !== undefined;
}

/** The kind of a stage the ATS names (and types, where it has stage types). */
export function classifyStage(name: string, type?: string, rules: readonly StageKindRule[] = []): StageKind {
  const given = type === '' ? undefined : type;
  for (const rule of rules) if (matches(rule, name, given)) return rule.kind;
  for (const rule of COMMON) if (matches(rule, name, given)) return rule.kind;
  return 'screen';
}

/** Whether a pattern of a mapping's `stage_kinds` is a valid regular expression (the error, if not). */
export function patternError(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The stage furthest along, of those given (rejections and missing ones left out). */
export function furthest(stages: readonly (Stage | undefined)[]): Stage | undefined {
  let best: Stage | undefined;
  for (const stage of stages) {
    if (!stage || stage.kind === 'rejected') continue;
    if (!best || progress(stage.kind) > progress(best.kind)) best = stage;
  }
  return best;
}

/** The kind an event type says by itself, for events a mapping gives no stage. */
export function kindOfType(type: string): StageKind | undefined {
  switch (type) {
    case 'candidate.applied':
      return 'applied';
    case 'candidate.screened':
      return 'screen';
    case 'candidate.interview_scheduled':
    case 'candidate.interviewed':
      return 'interview';
    case 'candidate.offered':
      return 'offer';
    case 'candidate.hired':
      return 'hired';
    case 'candidate.rejected':
    case 'candidate.withdrew':
      return 'rejected';
    default:
      return undefined;
  }
}

/** Whether a value is a stage as the event schema defines it. */
export function isStage(value: unknown): value is Stage {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as Stage).name === 'string' &&
    (STAGE_KINDS as readonly string[]).includes((value as Stage).kind)
  );
}
