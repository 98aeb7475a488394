// Instants as text and as epoch milliseconds: the interpreter's own conversions must agree with Date's
// on every instant, the edges of the fast range and fractional milliseconds included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { epochOf, instantOf } from '../../src/interpreter/instant.js';

const MIN = -8.64e15;
const MAX = 8.64e15;

describe('instants', () => {
  it('formats every instant as Date#toISOString does', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN, max: MAX }), (ms) => {
        expect(instantOf(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('formats instants near the edges of years 1000 and 9999, and fractions of milliseconds', () => {
    const edges = [-30_610_224_000_000, 253_402_300_800_000, 0, 951_782_400_000, 4_107_542_400_000];
    for (const edge of edges) {
      for (const delta of [-86_400_001, -1, -0.5, 0, 0.5, 1, 86_400_001]) {
        expect(instantOf(edge + delta)).toBe(new Date(edge + delta).toISOString());
      }
    }
    expect(instantOf(-0)).toBe('1970-01-01T00:00:00.000Z');
    expect(() => instantOf(Number.NaN)).toThrow(RangeError);
  });

  it('parses as Date.parse does, and remembers without changing the answer', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        const text = date.toISOString();
        expect(epochOf(text)).toBe(Date.parse(text));
        expect(epochOf(text)).toBe(date.getTime());
      }),
    );
    expect(epochOf('not a date')).toBeNaN();
    expect(epochOf('2026-03-04')).toBe(Date.parse('2026-03-04'));
  });
});
