import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonBounds } from './jsonBounds.ts';

const utf8Bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** levels of objects and arrays, the value itself being level 1 (0 for a primitive) */
const depthOf = (value: unknown): number =>
  typeof value !== 'object' || value === null ? 0 : 1 + Math.max(0, ...Object.values(value).map(depthOf));

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
};

describe('jsonBounds', () => {
  it('never says less than the UTF-8 size of JSON.stringify, whatever the strings hold', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.dictionary(text, text), (json, strings) => {
        for (const value of [json, strings, { json, strings }, [json, strings]]) {
          const { maxBytes, tooDeep } = jsonBounds(value, 64);
          expect(tooDeep).toBe(false);
          expect(maxBytes).toBeGreaterThanOrEqual(utf8Bytes(value));
        }
      }),
      // the longest number JSON writes (25 characters), found by this property once
      { numRuns: 500, examples: [[-0.0000010040611681292992, {}]] },
    );
  });

  it('finds the depth the old walk found: over the limit, and not one level before', () => {
    for (const levels of [0, 1, 2, 63, 64, 65, 1000]) {
      expect(jsonBounds(nested(levels), 64).tooDeep).toBe(depthOf(nested(levels)) > 64);
    }
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 1, max: 8 }), (value, limit) => {
        expect(jsonBounds(value, limit).tooDeep).toBe(depthOf(value) > limit);
      }),
    );
  });

  it('gives no bound where only JSON.stringify can tell the size', () => {
    for (const value of [
      { at: new Date(0) },
      { n: 10n },
      { custom: { toJSON: () => 'x'.repeat(100_000) } },
      [new Map([['a', 1]])],
      { boxed: new String('x') },
    ]) {
      expect(jsonBounds(value, 64)).toEqual({ tooDeep: false, maxBytes: undefined });
    }
  });

  it('still finds the depth below a value it cannot bound', () => {
    expect(jsonBounds({ n: 1n, deep: nested(70) }, 64).tooDeep).toBe(true);
  });
});
