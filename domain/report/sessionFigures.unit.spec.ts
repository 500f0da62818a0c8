import { describe, expect, it } from 'vitest';
import { sessionCountText, sessionTimeText } from './sessionFigures.ts';

describe("a user line's session figures", () => {
  it('counts sessions in words, singular for one', () => {
    expect([0, 1, 2, 1204].map(sessionCountText)).toEqual(['0 sessions', '1 session', '2 sessions', '1,204 sessions']);
  });

  it('shows a total time in its largest unit, cut down, never rounded up', () => {
    const times = [0, 999, 59_999, 60_000, 2_399_999, 3_599_999, 3_600_000, 3_900_000, 3_600_000 * 1234 + 60_000];
    expect(times.map(sessionTimeText)).toEqual([
      '0 s',
      '0 s',
      '59 s',
      '1 min',
      '39 min',
      '59 min',
      '1 h 00 min',
      '1 h 05 min',
      '1,234 h 01 min',
    ]);
  });
});
