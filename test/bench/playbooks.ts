// `npm run bench` (playbooks): validating 1,000 playbooks next to parsing the same YAML alone, and
// simulating one year for 10,000 candidates through the nurture playbook next to its 2-second target.
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createExpressions } from '../../src/expressions/liquid.js';
import { parsePlaybook, validatePipelines } from '../../src/playbook/load.js';
import { simulate } from '../../src/simulate/simulate.js';
import { loadTemplates } from '../../src/templates/engine.js';

const PIPELINES = path.resolve(import.meta.dirname, '../../pipelines');
const ZONES = [
  'Europe/Paris',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Sydney',
  'UTC',
  'America/Los_Angeles',
];

/** Runs `fn` `runs` times after one warm-up and returns the median duration in milliseconds. */
function measure(fn: () => void, runs = 5): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function benchPlaybooks(): Promise<string[]> {
  const out: string[] = [];
  // 1. Validation: 1,000 playbook files (the shipped ones, renamed), against parsing the YAML alone.
  const files = (await fs.readdir(PIPELINES)).filter((f) => f.endsWith('.yaml'));
  // The playbooks only: the folder also holds the organisation (org.yaml) and the contact policy.
  const texts = (await Promise.all(files.map((f) => fs.readFile(path.join(PIPELINES, f), 'utf8')))).filter(
    (t) => /^playbook: /m.test(t),
  );
  const corpus = Array.from({ length: 1000 }, (_, i) => {
    const name = `bench-${i}`;
    return {
      file: `${name}.yaml`,
      text: texts[i % texts.length]!.replace(/^playbook: .*$/m, `playbook: ${name}`),
    };
  });
  const validateMs = measure(() => corpus.forEach((c) => parsePlaybook(c.file, c.text)));
  const parseMs = measure(() => corpus.forEach((c) => void parseYaml(c.text)));
  out.push(
    `validate 1,000 playbooks      ${fmt(validateMs, 1)} ms (${fmt(1000 / (validateMs / 1000))} playbooks/s)`,
    `  baseline: YAML parse only   ${fmt(parseMs, 1)} ms; validation costs ${fmt(validateMs / parseMs, 2)}× parsing`,
  );

  out.push(...(await benchSimulation()));
  return out;
}

/** One year of the nurture playbook for 10,000 candidates, subjects rendered, against 2 seconds. */
export async function benchSimulation(runs = 5): Promise<string[]> {
  const out: string[] = [];
  const { playbooks } = await validatePipelines(PIPELINES);
  const definition = playbooks.get('nurture-silver-medalists')!;
  const templates = await loadTemplates(path.join(PIPELINES, 'templates'));
  const expressions = createExpressions();
  const subjectOf = (t: string, scope: Record<string, unknown>) => templates.subject(t, scope);
  const candidates = Array.from({ length: 10_000 }, (_, i) => ({
    candidate: {
      id: `c${i}`,
      first_name: `Candidate${i}`,
      timezone: ZONES[i % ZONES.length],
      tags: [],
      consent: { email: true, sms: false },
      unsubscribed_at: null,
    },
    events: [
      {
        at: `2026-01-0${1 + (i % 7)}T10:00:00.000Z`,
        type: 'candidate.rejected',
        data: { furthest_stage: { name: 'Onsite interview', kind: 'interview' } },
      },
      ...(i % 3 === 0
        ? [
            {
              at: '2026-04-20T10:00:00.000Z',
              type: i % 2 ? 'candidate.open_to_work' : 'candidate.not_looking',
            },
          ]
        : []),
    ],
  }));
  let lines = 0;
  const simulateMs = measure(() => {
    lines = 0;
    for (const c of candidates) {
      lines += simulate({
        definition,
        ...c,
        start: '2026-01-01T00:00:00.000Z',
        days: 365,
        expressions,
        subjectOf,
      }).length;
    }
  }, runs);
  const target = 2000;
  out.push(
    `simulate 10,000 candidate-years ${fmt(simulateMs)} ms (${fmt(10_000 / (simulateMs / 1000))} candidate-years/s, ${fmt(lines)} timeline lines)`,
    `  target: 2,000 ms             ratio target/actual ${fmt(target / simulateMs, 2)} (${simulateMs <= target ? 'meets' : 'misses'} the target)`,
  );
  return out;
}
