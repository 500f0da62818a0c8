import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  applyNext,
  pos,
  type ReadModels,
  type ReadModelsFactory,
  type ReadModelsFixture,
  timelineEntry,
} from './readModels.fixtures.ts';
import type { TimelineEntry } from './readModels.ts';
import { describeReadModelQueriesContract } from './readModelsQueries.contract.ts';
import { describeReadModelSnapshotsContract } from './readModelsSnapshots.contract.ts';
import { describeStageCountsContract } from './readModelsStageCounts.contract.ts';

export type { ReadModels, ReadModelsFactory, ReadModelsFixture };

const eventIds = (entries: readonly TimelineEntry[]): string[] => entries.map((e) => e.eventId);

/** The ReadModelStore + ReadModelQueries contract: one adapter implements both ports. */
export const describeReadModelStoreContract = (name: string, factory: ReadModelsFactory): void => {
  describe(`ReadModelStore contract: ${name}`, () => {
    let fixture: ReadModelsFixture | undefined;
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });
    const storeOf = (): ReadModels => {
      if (!fixture) throw new Error('no fixture: the factory failed');
      return fixture.store;
    };

    describe('checkpoints and atomic batches', () => {
      it('has no checkpoint at the start, then the one each batch moved to, per projection', async () => {
        const store = storeOf();
        expect(await store.readCheckpoint('journey')).toBeNull();
        const esdbLike = { commit: 10n, prepare: 7n };
        expect(await store.applyBatch('journey', { from: null, to: esdbLike }, () => {})).toEqual({ kind: 'stored' });
        expect(await store.readCheckpoint('journey')).toEqual(esdbLike);
        expect(await store.applyBatch('journey', { from: esdbLike, to: pos(12) }, () => {})).toEqual({
          kind: 'stored',
        });
        expect(await store.readCheckpoint('journey')).toEqual(pos(12));
        expect(await store.readCheckpoint('funnel')).toBeNull();
      });

      it('writes nothing and reports the current checkpoint when `from` does not match', async () => {
        const store = storeOf();
        await store.applyBatch('journey', { from: null, to: pos(5) }, () => {});
        for (const from of [null, pos(4), { commit: 5n, prepare: 4n }]) {
          const result = await store.applyBatch('journey', { from, to: pos(9) }, (w) =>
            w.addTimelineEntry(timelineEntry('u1', 'e1', '2026-01-01T00:00:00.000Z')),
          );
          expect(result).toEqual({ kind: 'mismatch', current: pos(5) });
        }
        expect(await store.readCheckpoint('journey')).toEqual(pos(5));
        expect(await store.getJourney('u1')).toEqual([]);
        expect(await store.applyBatch('funnel', { from: pos(1), to: pos(2) }, () => {})).toEqual({
          kind: 'mismatch',
          current: null,
        });
      });

      it('lets one of two batches racing from the same checkpoint win', async () => {
        const store = storeOf();
        const results = await Promise.all(
          ['a', 'b'].map((id) =>
            store.applyBatch('journey', { from: null, to: pos(1) }, (w) =>
              w.addTimelineEntry(timelineEntry('u1', id, '2026-01-01T00:00:00.000Z')),
            ),
          ),
        );
        expect(results.map((r) => r.kind).sort()).toEqual(['mismatch', 'stored']);
        expect(await store.getJourney('u1')).toHaveLength(1);
      });

      it('rolls back every write and the checkpoint when apply throws', async () => {
        const store = storeOf();
        const failure = new Error('projection bug');
        const result = store.applyBatch('journey', { from: null, to: pos(1) }, (w) => {
          w.addTimelineEntry(timelineEntry('u1', 'e1', '2026-01-01T00:00:00.000Z'));
          w.putProfile({
            userId: 'u1',
            signedUpAt: '2026-01-01T00:00:00.000Z',
            firstSeenAt: '2026-01-01T00:00:00.000Z',
            lastSeenAt: '2026-01-01T00:00:00.000Z',
            eventCount: 1,
            lastEventType: 'UserSignedUp',
          });
          w.addActivity('u1', '2026-01-01T00:00:00.000Z');
          throw failure;
        });
        await expect(result).rejects.toBe(failure);
        expect(await store.readCheckpoint('journey')).toBeNull();
        expect(await store.getJourney('u1')).toEqual([]);
        expect(await store.getProfile('u1')).toBeUndefined();
        expect(await store.stageSummaries('2026-02-01T00:00:00.000Z')).toEqual([]);
        // nothing of the failed batch lingers for the next one either
        await applyNext(store, (w) => expect(w.getProfile('u1')).toBeUndefined());
      });
    });

    describe('timeline', () => {
      it('reads a journey in event-time order, ties in append order, across batches', async () => {
        const store = storeOf();
        await applyNext(store, (w) => {
          w.addTimelineEntry(timelineEntry('u1', 'late', '2026-01-03T00:00:00.000Z'));
          w.addTimelineEntry(timelineEntry('u1', 'tie-1', '2026-01-02T00:00:00.000Z'));
          w.addTimelineEntry(timelineEntry('u2', 'other', '2026-01-01T00:00:00.000Z'));
        });
        await applyNext(store, (w) => {
          w.addTimelineEntry(timelineEntry('u1', 'tie-2', '2026-01-02T00:00:00.000Z'));
          w.addTimelineEntry(timelineEntry('u1', 'early', '2026-01-01T23:59:59.999Z'));
        });
        expect(eventIds(await store.getJourney('u1'))).toEqual(['early', 'tie-1', 'tie-2', 'late']);
        expect(eventIds(await store.getJourney('u1', { limit: 2 }))).toEqual(['early', 'tie-1']);
        expect(await store.getJourney('nobody')).toEqual([]);
      });

      it('keeps every field of an entry', async () => {
        const store = storeOf();
        const entry = timelineEntry('u1', 'e1', '2026-01-01T10:00:00.000Z', {
          type: 'ErrorEncountered',
          data: { status: 500, path: '/api/deploy', nested: { list: [1, 'two', null] } },
          ruleId: 'api-error',
          sourceMessageIds: ['m-1', 'm-2'],
        });
        await applyNext(store, (w) => w.addTimelineEntry(entry));
        expect(await store.getJourney('u1')).toEqual([entry]);
      });

      it('ignores an entry whose eventId is already there, in the same batch or a later one', async () => {
        const store = storeOf();
        const original = timelineEntry('u1', 'e1', '2026-01-01T10:00:00.000Z');
        await applyNext(store, (w) => {
          w.addTimelineEntry(original);
          w.addTimelineEntry({ ...original, data: { again: true } });
        });
        await applyNext(store, (w) => w.addTimelineEntry({ ...original, occurredAt: '2026-01-05T00:00:00.000Z' }));
        expect(await store.getJourney('u1')).toEqual([original]);
      });
    });

    describeReadModelQueriesContract(storeOf);
    describeReadModelSnapshotsContract(storeOf);
    describeStageCountsContract(storeOf);
  });
};
