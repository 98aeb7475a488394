// The Liquid that source mappings are written in: playbooks' filters, plus `iso_from_unix` for senders
// that give times as Unix numbers. Read paths get every value URL-encoded, so a payload cannot change
// which resource is read.
import { Liquid } from 'liquidjs';
import { registerFilters } from '../expressions/filters.js';

function sourceFilters(liquid: Liquid): Liquid {
  registerFilters(liquid);
  /** `payload.triggeredAt | iso_from_unix: 'ms'` — a Unix time (seconds, or `ms`) as an ISO instant. */
  liquid.registerFilter('iso_from_unix', (value: unknown, unit?: unknown) => {
    const n =
      typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) return null;
    const at = new Date(unit === 'ms' ? n : n * 1000);
    return Number.isNaN(at.getTime()) ? null : at.toISOString();
  });
  return liquid;
}

export const sourceLiquid = sourceFilters(new Liquid({ strictFilters: true, cache: true }));

/** For read paths: each value printed is URL-encoded. */
export const pathLiquid = sourceFilters(
  new Liquid({
    strictFilters: true,
    cache: true,
    outputEscape: (value: unknown) =>
      encodeURIComponent(typeof value === 'string' || typeof value === 'number' ? String(value) : ''),
  }),
);
