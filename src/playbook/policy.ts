// The contact policy file (pipelines/policy.yaml): validated against schemas/policy.schema.json, then
// for meaning — classes named once, rules naming known classes and playbooks, quiet dates that exist.
// A pipelines folder without the file has no policy.
import fs from 'node:fs';
import path from 'node:path';
import type { ContactPolicy } from '../interpreter/index.js';
import type { FieldError } from '../schemas/index.js';
import { PlaybookError, PlaybookErrors } from './errors.js';
import { readYamlFile } from './yaml-file.js';

export const POLICY_FILE = 'policy.yaml';

/** Validates `<pipelines>/policy.yaml`; `playbooks` are the ids a class may name. */
export async function validatePolicy(
  pipelinesDir: string,
  playbooks?: ReadonlySet<string>,
): Promise<{ policy?: ContactPolicy; errors: PlaybookError[] }> {
  const file = path.join(pipelinesDir, POLICY_FILE);
  if (!fs.existsSync(file)) return { errors: [] };
  return validatePolicyFile(file, playbooks);
}

/** Validates a policy file wherever it is (`rapport simulate --policy`). */
export async function validatePolicyFile(
  file: string,
  playbooks?: ReadonlySet<string>,
): Promise<{ policy?: ContactPolicy; errors: PlaybookError[] }> {
  const read = await readYamlFile<ContactPolicy>(file, 'policy.schema.json');
  if (!read.value) return { errors: read.errors };
  const problems = policyProblems(read.value, playbooks);
  read.report(problems);
  return problems.length ? { errors: read.errors } : { policy: read.value, errors: [] };
}

/** The policy, if the pipelines have one, or PlaybookErrors naming every problem (processes refuse to start). */
export async function loadPolicy(pipelinesDir: string): Promise<ContactPolicy | undefined> {
  const { policy, errors } = await validatePolicy(pipelinesDir);
  if (errors.length) throw new PlaybookErrors(errors);
  return policy;
}

function policyProblems(policy: ContactPolicy, playbooks: ReadonlySet<string> | undefined): FieldError[] {
  const problems: FieldError[] = [];
  const names = policy.classes.map((c) => c.class);
  const known = `use one of ${names.join(', ')}`;
  policy.classes.forEach((c, i) => {
    if (names.indexOf(c.class) !== i)
      problems.push({ pointer: `/classes/${i}/class`, message: `class "${c.class}" is defined twice` });
    c.playbooks?.forEach((id, j) => {
      if (playbooks && !playbooks.has(id))
        problems.push({
          pointer: `/classes/${i}/playbooks/${j}`,
          message: `unknown playbook "${id}"; name a file in the pipelines folder`,
        });
    });
  });
  const classList = (pointer: string, list: readonly string[] | undefined) =>
    list?.forEach((name, j) => {
      if (!names.includes(name))
        problems.push({ pointer: `${pointer}/${j}`, message: `unknown class "${name}"; ${known}` });
    });
  policy.holds?.forEach((rule, i) => {
    classList(`/holds/${i}/hold`, rule.hold);
    classList(`/holds/${i}/while`, rule.while);
    const both = rule.hold.find((c) => rule.while.includes(c));
    if (both)
      problems.push({
        pointer: `/holds/${i}/while`,
        message: `class "${both}" cannot hold itself: name it in either hold or while`,
      });
  });
  policy.quiet?.forEach((period, i) => {
    classList(`/quiet/${i}/classes`, period.classes);
    for (const key of ['from', 'to'] as const)
      if (!dateExists(period[key]))
        problems.push({ pointer: `/quiet/${i}/${key}`, message: `${period[key]} is not a date` });
    if (period.from.length !== period.to.length)
      problems.push({
        pointer: `/quiet/${i}/to`,
        message: 'write both dates the same way: MM-DD (every year) or YYYY-MM-DD (once)',
      });
    else if (period.from.length === 10 && period.to < period.from)
      problems.push({
        pointer: `/quiet/${i}/to`,
        message: `the period ends before it starts (${period.from})`,
      });
  });
  const rules = [...(policy.holds ?? []), ...(policy.quiet ?? [])].map((r) => r.name);
  rules.forEach((name, i) => {
    if (rules.indexOf(name) !== i || name === 'budget' || name === 'priority') {
      const inHolds = i < (policy.holds?.length ?? 0);
      const at = inHolds ? `/holds/${i}/name` : `/quiet/${i - (policy.holds?.length ?? 0)}/name`;
      problems.push({
        pointer: at,
        message: `rule name "${name}" is taken: each hold and quiet period needs its own (budget and priority are reserved)`,
      });
    }
  });
  return problems;
}

/** A MM-DD (29 February allowed) or YYYY-MM-DD that is on the calendar. */
function dateExists(text: string): boolean {
  const [y, m, d] = (text.length === 10 ? text : `2024-${text}`).split('-').map(Number) as [
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}
