import { describe, expect, it } from 'vitest';
import type { Position } from '../eventStore/eventStore.ts';
import { pos, type ReadModels, timelineEntry } from './readModels.fixtures.ts';
import type { UserProfile } from './readModels.ts';

const signedUp = (userId: string, eventCount: number): UserProfile => ({
  userId,
  signedUpAt: '2026-01-01T09:00:00.000Z',
  firstSeenAt: '2026-01-01T09:00:00.000Z',
  lastSeenAt: '2026-01-01T09:00:00.000Z',
  eventCount,
  lastEventType: 'UserSignedUp',
});

/** one batch of `projection` from its checkpoint to `to` */
const applyTo = async (
  store: ReadModels,
  projection: string,
  to: Position,
  apply: Parameters<ReadModels['applyBatch']>[2],
) => {
  const from = await store.readCheckpoint(projection);
  expect(await store.applyBatch(projection, { from, to }, apply)).toEqual({ kind: 'stored' });
};

/** beyond 2^53: a position must survive as a 64-bit integer, not a double */
const FAR = { commit: 2n ** 60n + 3n, prepare: 2n ** 60n + 1n };
const T = '2026-01-10T12:00:00.000Z';

/** Reads that come with the checkpoint of the projection that wrote them, from one snapshot. */
export const describeReadModelSnapshotsContract = (storeOf: () => ReadModels): void => {
  describe('snapshots with their checkpoint', () => {
    it('keeps the position a timeline entry is given, to the last bit, and none when given none', async () => {
      const store = storeOf();
      await applyTo(store, 'timeline', FAR, (w) => {
        w.addTimelineEntry(timelineEntry('u1', 'e1', '2026-01-01T00:00:00.000Z', { position: FAR }));
        w.addTimelineEntry(timelineEntry('u1', 'e2', '2026-01-02T00:00:00.000Z'));
      });
      expect(await store.getJourney('u1')).toEqual([
        timelineEntry('u1', 'e1', '2026-01-01T00:00:00.000Z', { position: FAR }),
        timelineEntry('u1', 'e2', '2026-01-02T00:00:00.000Z'),
      ]);
    });

    it("answers a profile and its stage summary with the named projection's checkpoint", async () => {
      const store = storeOf();
      expect(await store.profileSnapshot('u1', T, 'users')).toEqual({
        position: null,
        profile: undefined,
        summary: undefined,
      });
      await applyTo(store, 'users', pos(4), (w) => {
        w.putProfile(signedUp('u1', 2));
        w.addActivity('u1', '2026-01-02T10:00:00.000Z');
      });
      await applyTo(store, 'timeline', pos(9), () => {});
      expect(await store.profileSnapshot('u1', T, 'users')).toEqual({
        position: pos(4),
        profile: await store.getProfile('u1'),
        summary: await store.stageSummary('u1', T),
      });
      expect((await store.profileSnapshot('u1', '2026-01-01T08:00:00.000Z', 'users')).summary).toBeUndefined();
      expect((await store.profileSnapshot('nobody', T, 'users')).position).toEqual(pos(4));
    });

    it('cuts a journey at a position, keeping entries stored without one, in event-time order', async () => {
      const store = storeOf();
      await applyTo(store, 'timeline', pos(7), (w) => {
        w.addTimelineEntry(timelineEntry('u1', 'late', '2026-01-01T00:00:00.000Z', { position: pos(7) }));
        w.addTimelineEntry(timelineEntry('u1', 'old', '2026-01-03T00:00:00.000Z'));
        w.addTimelineEntry(
          timelineEntry('u1', 'esdb', '2026-01-04T00:00:00.000Z', { position: { commit: 5n, prepare: 2n } }),
        );
        w.addTimelineEntry(timelineEntry('u1', 'first', '2026-01-02T00:00:00.000Z', { position: pos(5) }));
        w.addTimelineEntry(timelineEntry('u2', 'other', '2026-01-02T00:00:00.000Z', { position: pos(1) }));
      });
      const at5 = await store.journeySnapshot('u1', pos(5), 'timeline');
      expect(at5.position).toEqual(pos(7));
      expect(at5.entries.map((e) => e.eventId)).toEqual(['first', 'old', 'esdb']);
      // same commit, earlier prepare: before
      const cut = await store.journeySnapshot('u1', { commit: 5n, prepare: 3n }, 'timeline');
      expect(cut.entries.map((e) => e.eventId)).toEqual(['old', 'esdb']);
      expect((await store.journeySnapshot('u1', pos(7), 'timeline')).entries).toEqual(await store.getJourney('u1'));
      expect(await store.journeySnapshot('u1', pos(7), 'users')).toMatchObject({ position: null });
    });

    it('reads a profile and its checkpoint as one commit left them while batches commit', async () => {
      const store = storeOf();
      const batches = 40;
      const writing = (async () => {
        for (let n = 1; n <= batches; n++)
          await applyTo(store, 'users', pos(n), (w) => w.putProfile(signedUp('u1', n)));
      })();
      const seen: [number, number][] = [];
      let done = false;
      void writing.finally(() => {
        done = true;
      });
      while (!done) {
        const { position, profile } = await store.profileSnapshot('u1', T, 'users');
        if (position !== null) seen.push([Number(position.commit), profile?.eventCount ?? 0]);
      }
      await writing;
      const { position, profile } = await store.profileSnapshot('u1', T, 'users');
      seen.push([Number(position?.commit), profile?.eventCount ?? 0]);
      for (const [checkpoint, eventCount] of seen) expect(eventCount).toBe(checkpoint);
      expect(seen.at(-1)).toEqual([batches, batches]);
    });

    it('reads a journey and its checkpoint as one commit left them while batches commit', async () => {
      const store = storeOf();
      const batches = 40;
      const writing = (async () => {
        for (let n = 1; n <= batches; n++) {
          const at = new Date(Date.parse('2026-01-01T00:00:00.000Z') + n * 1000).toISOString();
          await applyTo(store, 'timeline', pos(n), (w) =>
            w.addTimelineEntry(timelineEntry('u1', `e${n}`, at, { position: pos(n) })),
          );
        }
      })();
      const seen: [number, number][] = [];
      let done = false;
      void writing.finally(() => {
        done = true;
      });
      // cut far ahead: only the snapshot keeps entries and checkpoint in step
      const far = pos(1_000_000);
      while (!done) {
        const { position, entries } = await store.journeySnapshot('u1', far, 'timeline');
        seen.push([Number(position?.commit ?? 0n), entries.length]);
      }
      await writing;
      const { position, entries } = await store.journeySnapshot('u1', far, 'timeline');
      seen.push([Number(position?.commit ?? 0n), entries.length]);
      for (const [checkpoint, count] of seen) expect(count).toBe(checkpoint);
      expect(seen.at(-1)).toEqual([batches, batches]);
    });
  });
};
