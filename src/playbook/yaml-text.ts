// YAML text of the pipelines (playbooks, source mappings, the contact policy, the organisation's content,
// talent pools) read into plain data within bounds: one document, nested at most MAX_YAML_DEPTH levels,
// keys that are text, aliases that name an anchor before them and do not expand past MAX_ALIASES. Every
// problem is a PlaybookError at the `file:line:column` a person should look at.
import {
  Composer,
  isAlias,
  isCollection,
  isNode,
  isPair,
  LineCounter,
  Parser,
  YAMLParseError,
  type CST,
  type Document,
} from 'yaml';
import { offsetOf, PlaybookError } from './errors.js';

/** How deep maps and lists may nest; a playbook needs about a dozen levels. */
export const MAX_YAML_DEPTH = 64;
/** How much aliases may expand (the `yaml` package's count: each use, weighted by what it repeats). */
export const MAX_ALIASES = 100;

export interface YamlText {
  /** The data, when the text is one YAML document within the bounds; otherwise `errors` says why. */
  data?: unknown;
  errors: PlaybookError[];
  /** An error at the node a JSON pointer names, or at its closest existing parent. */
  errorAt(pointer: string, message: string): PlaybookError;
}

const TOO_DEEP = `maps and lists nest more than ${MAX_YAML_DEPTH} levels deep; flatten them`;
const KEY_NOT_TEXT = 'a key must be text, not a map or a list';
const SECOND_DOCUMENT = 'the file holds more than one YAML document (a second `---`); keep one';

/** Parses one YAML document and turns it into plain data, refusing what would exhaust the reader. */
export function parseYamlText(file: string, text: string): YamlText {
  const lines = new LineCounter();
  const at = (offset: number, message: string, pointer = '') => {
    const { line, col } = lines.linePos(offset);
    return new PlaybookError(file, line, col, message, pointer);
  };
  // The syntax tree is read with a stack of its own; building the document recurses once per level,
  // so the levels are counted first.
  const tokens = [...new Parser(lines.addNewLine).parse(text)];
  const deep = tooDeep(tokens);
  if (deep !== undefined) return { errors: [at(deep, TOO_DEEP)], errorAt: (p, m) => at(0, m, p) };
  const doc = compose(tokens, text.length);
  const errorAt = (pointer: string, message: string) => at(offsetOf(doc, pointer), message, pointer);
  if (doc.errors.length)
    return { errors: doc.errors.map((e) => at(e.pos[0], e.message.split('\n')[0] ?? e.message)), errorAt };
  const shape = shapeProblem(doc);
  if (shape) return { errors: [at(shape.offset, shape.message)], errorAt };
  try {
    return { data: doc.toJS({ maxAliasCount: MAX_ALIASES }), errors: [], errorAt };
  } catch (error) {
    // The `yaml` package stops an expansion past maxAliasCount; the first alias is where it starts.
    const message = `YAML aliases expand too much (${(error as Error).message}); write the values out`;
    return { errors: [at(firstAlias(doc), message)], errorAt };
  }
}

/** The first document of the tokens; a second one is an error. */
function compose(tokens: CST.Token[], length: number): Document.Parsed {
  const composer = new Composer({ uniqueKeys: true });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', SECOND_DOCUMENT));
      break;
    }
  }
  // compose() always ends with a document, an empty one for empty text.
  return doc!;
}

/** The offset of the first collection of the syntax tree nested deeper than the bound. */
function tooDeep(tokens: readonly CST.Token[]): number | undefined {
  const pending: [CST.Token, number][] = [];
  for (const token of tokens) if (token.type === 'document' && token.value) pending.push([token.value, 0]);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [token, depth] = next;
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection')
      continue;
    if (depth >= MAX_YAML_DEPTH) return token.offset;
    for (const item of token.items) {
      if ('key' in item && item.key) pending.push([item.key, depth + 1]);
      if (item.value) pending.push([item.value, depth + 1]);
    }
  }
  return undefined;
}

/**
 * The first node, in document order, that nests too deep, is a key that is not text, or is an alias of
 * no anchor before it. Walked with a stack of its own, so that no nesting can exhaust the call stack.
 */
function shapeProblem(doc: Document): { offset: number; message: string } | undefined {
  const anchors = new Map<string, unknown>();
  const pending: { node: unknown; depth: number; key?: boolean }[] = [{ node: doc.contents, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { node, depth, key } = next;
    if (!isNode(node)) continue;
    const offset = node.range?.[0] ?? 0;
    if (isAlias(node)) {
      const anchored = anchors.get(node.source);
      if (!anchored)
        return { offset, message: `the alias *${node.source} names no anchor (&${node.source}) before it` };
      if (key && isCollection(anchored)) return { offset, message: KEY_NOT_TEXT };
      continue;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (!isCollection(node)) continue;
    if (key) return { offset, message: KEY_NOT_TEXT };
    if (depth >= MAX_YAML_DEPTH) return { offset, message: TOO_DEEP };
    // Children go on the stack last first, so that they come off it in document order.
    for (let i = node.items.length - 1; i >= 0; i--) {
      const item = node.items[i];
      if (isPair(item)) {
        pending.push({ node: item.value, depth: depth + 1 }, { node: item.key, depth: depth + 1, key: true });
      } else pending.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

function firstAlias(doc: Document): number {
  const pending: unknown[] = [doc.contents];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (isAlias(node)) return node.range?.[0] ?? 0;
    if (!isCollection(node)) continue;
    for (let i = node.items.length - 1; i >= 0; i--) {
      const item = node.items[i];
      if (isPair(item)) pending.push(item.value, item.key);
      else pending.push(item);
    }
  }
  return 0;
}
