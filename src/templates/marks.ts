// Which words of a rendered message are the template's and which are printed values. Every output
// (`{{ … }}`, `echo`, `cycle`; `| raw` included) is wrapped in two marks, STX and ETX, which are first
// removed from the value itself, so data can never forge them. The HTML part links a web address only
// when its site (scheme, host and port) is written by the template's own text, or comes from a value
// whose address the message trusts (the organisation's, Rapport's own links, the recruiting event's);
// an address in a candidate's or an event's data stays text. Subject, text and SMS leave without marks.
import { filters, type FilterImplOptions, type Liquid } from 'liquidjs';
/* eslint-disable no-control-regex -- the marks are control characters, on purpose */

const OPEN = '\u0002';
const CLOSE = '\u0003';
const MARKS = /[\u0002\u0003]/g;
/** A printed value, between its marks. */
const PRINTED = /\u0002([^\u0002\u0003]*)\u0003/g;
/** A web address as mail readers see one: it does not end with punctuation that closes a sentence. */
const WEB_ADDRESS = /https?:\/\/[^\s<>"\u0002\u0003]+[^\s<>"'.,;:!?)\]\u0002\u0003]/g;

type FilterHandler = Extract<FilterImplOptions, (...args: never[]) => unknown>;
/** Liquid's own way of printing a value (what `append` does with its input). */
const print = filters.append as FilterHandler;

/** Marks every output of the templates `liquid` parses from now on; `| raw` outputs are marked too. */
export function markOutputs(liquid: Liquid): Liquid {
  liquid.options.outputEscape = function (this: ThisParameterType<FilterHandler>, value: unknown) {
    const text = (print.call(this, value, '') as string).replace(MARKS, '');
    return text === '' ? '' : `${OPEN}${text}${CLOSE}`;
  };
  liquid.registerFilter('raw', (value: unknown) => value);
  return liquid;
}

/** The rendered text as it is sent: without marks. */
export function unmarked(text: string): string {
  return text.replace(MARKS, '');
}

/** Every web address in trusted values (strings, deep in objects and lists): what a message may link. */
export function trustedAddresses(...values: unknown[]): ReadonlySet<string> {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') for (const [url] of value.matchAll(WEB_ADDRESS)) found.add(url);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  values.forEach(visit);
  return found;
}

/** A stretch of the unmarked text: the template's own words, or one printed value. */
interface Stretch {
  start: number;
  end: number;
  printed: boolean;
}

/**
 * The web addresses of a marked text that may be links, as ranges of its unmarked text: those whose
 * site the template writes, and those a printed value gives whole when the message trusts them.
 */
export function linkableAddresses(
  marked: string,
  trusted: ReadonlySet<string>,
): { text: string; links: { start: number; end: number }[] } {
  const stretches: Stretch[] = [];
  let text = '';
  let last = 0;
  const add = (part: string, printed: boolean) => {
    if (part) stretches.push({ start: text.length, end: text.length + part.length, printed });
    text += part;
  };
  for (const match of marked.matchAll(PRINTED)) {
    add(unmarked(marked.slice(last, match.index)), false);
    add(match[1]!, true);
    last = match.index + match[0].length;
  }
  add(unmarked(marked.slice(last)), false);

  const links: { start: number; end: number }[] = [];
  for (const match of text.matchAll(WEB_ADDRESS)) {
    const start = match.index;
    const end = start + match[0].length;
    const siteEnd = start + siteLength(match[0]);
    const from = stretches.find((s) => s.start <= start && start < s.end)!;
    if (siteEnd > from.end) continue; // the site is made of two stretches: data may have chosen it
    if (!from.printed || trusted.has(text.slice(start, Math.min(end, from.end)))) links.push({ start, end });
  }
  return { text, links };
}

/** The length of an address's scheme, host and port: up to the first `/`, `?`, `#` or `\` after `//`. */
function siteLength(url: string): number {
  const afterScheme = url.indexOf('//') + 2;
  const rest = url.slice(afterScheme).search(/[/?#\\]/);
  return rest === -1 ? url.length : afterScheme + rest;
}
