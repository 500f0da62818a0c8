import {
  addStageDeltas,
  checkWindowDays,
  type StageDelta,
  type StageHistory,
  stageChangesOf,
} from '../../domain/stage/stageChanges.ts';

/** One user's stage history as the users read model held it before a write, and holds it after. */
export type StageHistoryChange = { readonly before: StageHistory; readonly after: StageHistory };

/** net per-stage deltas by instant (epoch ms): what the read models store and sum into the funnel */
export type StageDeltas = Map<number, StageDelta>;

/** the history of a user the read models do not hold yet */
export const NO_STAGE_HISTORY: StageHistory = { signedUpAt: null, days: [] };

/**
 * The funnel as a projection over the users read model: a user's new sign-up or activity
 * days move the stage counts by their stage changes after less before. Every read-model
 * adapter hands it the users a write changed, once each, and only stores and sums the deltas.
 */
export const stageChangesProjection = (windowDays: number) => {
  checkWindowDays(windowDays);
  return {
    windowDays,
    apply(deltas: StageDeltas, { before, after }: StageHistoryChange): void {
      if (before.signedUpAt !== null) addStageDeltas(deltas, stageChangesOf(before, windowDays), -1);
      if (after.signedUpAt !== null) addStageDeltas(deltas, stageChangesOf(after, windowDays), 1);
    },
  };
};

export type StageChangesProjection = ReturnType<typeof stageChangesProjection>;
