import { describe, expect, it } from 'vitest';
import { journeyEventId } from './journeyEventId.ts';

describe('journeyEventId', () => {
  // ids already stored must come out the same, or a replay or remap would append them again
  it.each([
    [1773136800000, ['m-1', 'track-signed-up'], '019cd730-6900-82a4-98d2-ed6514340e18'],
    [0, ['link', 'anon-1', 'user-1'], '00000000-0000-8f16-a648-2a24b4d04458'],
    [1700000000123, ['copy', '0190f4b2-0000-8000-8000-000000000000', 'u'], '018bcfe5-687b-8d09-97dd-ac3fc56adc39'],
    [Number.NaN, ['x'], '00000000-0000-81f6-ad8e-c52a2984abaa'],
    [2 ** 48 + 5, ['late', 'ü', ''], 'ffffffff-ffff-809f-a740-2c9959a4ac56'],
    [-5, ['neg'], '00000000-0000-8732-9f42-1369e3a2b302'],
    [1777622400000, ['session', 'ada', 'a0'], '019de28d-3c00-83f4-a2c3-a34dc9d4c7b0'],
  ])('gives %d and %j the id it always gave', (occurredAtMs, parts, id) => {
    expect(journeyEventId(occurredAtMs, ...parts)).toBe(id);
  });
});
