import { expect } from 'vitest';
import type { Position } from './eventStore.ts';
import type { ReadModelQueries, ReadModelStore, ReadModelWriter, TimelineEntry } from './readModels.ts';

export type ReadModels = ReadModelStore & ReadModelQueries;
export type ReadModelsFixture = { readonly store: ReadModels; cleanup(): Promise<void> };
/** fresh, empty read models per test; `cleanup` closes them and removes their storage */
export type ReadModelsFactory = () => Promise<ReadModelsFixture>;

export const pos = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

export const timelineEntry = (
  userId: string,
  eventId: string,
  occurredAt: string,
  extra: Partial<TimelineEntry> = {},
): TimelineEntry => ({
  userId,
  eventId,
  type: 'DeploymentStarted',
  occurredAt,
  data: { deploymentId: eventId },
  ruleId: 'deploy-started',
  sourceMessageIds: [`m-${eventId}`],
  ...extra,
});

/** applies one batch on the projection `p`, moving its checkpoint to the next position */
export const applyNext = async (
  store: ReadModels,
  apply: (writer: ReadModelWriter) => void,
  projection = 'journey',
): Promise<void> => {
  const from = await store.readCheckpoint(projection);
  const to = pos(Number(from?.commit ?? 0n) + 1);
  expect(await store.applyBatch(projection, { from, to }, apply)).toEqual({ kind: 'stored' });
};
