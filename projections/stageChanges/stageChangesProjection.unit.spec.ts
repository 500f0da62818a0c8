import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../domain/stage/stage.ts';
import type { StageDelta, StageHistory } from '../../domain/stage/stageChanges.ts';
import { folding, given } from '../../testing/projections/projectionSpec.ts';
import { NO_STAGE_HISTORY, type StageDeltas, stageChangesProjection } from './stageChangesProjection.ts';

const W = 15;
const T = Date.parse('2026-03-01T00:00:00.000Z');
const h = (hours: number) => T + hours * 3_600_000;
const history = (signedUpAt: number | null, ...days: [firstAt: number, lastAt: number][]): StageHistory => ({
  signedUpAt,
  days: days.map(([firstAt, lastAt]) => ({ firstAt, lastAt })),
});
const deltas = () => folding(stageChangesProjection(W), (): StageDeltas => new Map());
const nonZero = (written: StageDeltas) => [...written].filter(([, d]) => d.some((n) => n !== 0));
//                                    signedUp activated active inactive
const delta = (...d: StageDelta): StageDelta => d;

describe('the stage-change projection', () => {
  it('counts a new sign-up as signed up from the sign-up on', async () => {
    await given({ before: NO_STAGE_HISTORY, after: history(T) })
      .when(deltas())
      .then(new Map([[T, delta(1, 0, 0, 0)]]));
  });

  it('moves an activated user to inactive W days after the last activity of their one day', async () => {
    await given({ before: NO_STAGE_HISTORY, after: history(T, [h(10), h(12)]) })
      .when(deltas())
      .then(
        new Map([
          [T, delta(1, 0, 0, 0)],
          [h(10), delta(-1, 1, 0, 0)],
          [h(12) + W * DAY_MS, delta(0, -1, 0, 1)],
        ]),
      );
  });

  it('takes away the changes before and adds those after, when activity extends a day', async () => {
    await given({ before: history(T, [h(10), h(12)]), after: history(T, [h(10), h(20)]) })
      .when(deltas())
      .then((written) =>
        expect(nonZero(written)).toEqual([
          [h(12) + W * DAY_MS, delta(0, 1, 0, -1)],
          [h(20) + W * DAY_MS, delta(0, -1, 0, 1)],
        ]),
      );
  });

  it('changes nothing for a user who neither was nor is signed up, or whose history stayed the same', async () => {
    await given({ before: NO_STAGE_HISTORY, after: history(null, [h(10), h(12)]) })
      .when(deltas())
      .then(new Map());
    await given({ before: history(T, [h(1), h(2)]), after: history(T, [h(1), h(2)]) })
      .when(deltas())
      .then((written) => expect(nonZero(written)).toEqual([]));
  });

  it('decides the same deltas for a batch of changes as for their sum, so once per user and batch is enough', async () => {
    const first = history(h(5));
    const second = history(h(5), [h(30), h(31)]);
    const third = history(h(-48), [h(30), h(40)], [h(60), h(60)]);
    const stepwise = await given({ before: NO_STAGE_HISTORY, after: first }, { before: first, after: second })
      .when(deltas())
      .then(() => undefined);
    const later = await given({ before: second, after: third })
      .when(deltas())
      .then(() => undefined);
    const atOnce = await given({ before: NO_STAGE_HISTORY, after: third })
      .when(deltas())
      .then(() => undefined);
    const sum = new Map(nonZero(atOnce));
    const summed: StageDeltas = new Map();
    for (const part of [stepwise, later]) {
      for (const [at, d] of part)
        summed.set(at, (summed.get(at) ?? delta(0, 0, 0, 0)).map((n, i) => n + (d[i] ?? 0)) as StageDelta);
    }
    expect(new Map(nonZero(summed))).toEqual(sum);
  });
});
