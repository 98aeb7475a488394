// Static check of the variables a Liquid template or expression reads, against schemas/scope.schema.json:
// a typo such as `candidate.frist_name` is an error at validation time, not a blank in a sent email.
import fs from 'node:fs';
import path from 'node:path';
import { analyzeSync, type Template, type Variable } from 'liquidjs';
import { SCHEMAS_DIR } from '../schemas/index.js';

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean;
  items?: SchemaNode;
}

export interface UnknownVariable {
  /** The variable as written, e.g. `candidate.frist_name`. */
  path: string;
  /** The first segment that does not exist. */
  missing: string;
  row: number;
  col: number;
}

let scope: SchemaNode | undefined;
function scopeSchema(): SchemaNode {
  scope ??= JSON.parse(fs.readFileSync(path.join(SCHEMAS_DIR, 'scope.schema.json'), 'utf8')) as SchemaNode;
  return scope;
}

/** The global variables of parsed Liquid that the scope does not have. */
export function unknownVariables(templates: Template[]): UnknownVariable[] {
  const found: UnknownVariable[] = [];
  for (const uses of Object.values(analyzeSync(templates, { partials: true }).globals)) {
    for (const variable of uses) {
      const missing = firstUnknownSegment(variable);
      if (missing !== undefined) {
        found.push({
          path: variable.toString(),
          missing,
          row: variable.location.row,
          col: variable.location.col,
        });
      }
    }
  }
  return found;
}

function firstUnknownSegment(variable: Variable): string | undefined {
  let node: SchemaNode | undefined = scopeSchema();
  for (const segment of variable.segments) {
    if (!node) return undefined;
    if (typeof segment !== 'string') {
      // An index (list[0]) or a computed key (map[other.var]): look no deeper.
      node = typeof segment === 'number' ? node.items : undefined;
      continue;
    }
    if (segment === 'size' || segment === 'first' || segment === 'last') return undefined;
    if (!node.properties || node.additionalProperties !== false) return undefined;
    const next: SchemaNode | undefined = node.properties[segment];
    if (!next) return segment;
    node = next;
  }
  return undefined;
}
