import fc from 'fast-check';
import { expect } from 'vitest';
import type { RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import type { SessionStore } from '../../application/ports/sessionStore/sessionStore.ts';
import {
  ACTIVITIES_RECORDED,
  ACTIVITY_RECORDED,
  type Activity,
  activityStreamOf,
} from '../../domain/sessions/activity.ts';
import { sessionize } from '../../domain/sessions/sessionize.ts';
import { sessionRulesOf, sessionsProjection } from '../../projections/sessions/sessionsProjection.ts';

export const TIMEOUT_MINUTES = 30;
const T0 = Date.parse('2026-05-01T08:00:00.000Z');
const USERS = ['ada', 'bob'] as const;

type Arrival = { readonly userId: string; readonly activity: Activity };

/**
 * Events on a five-minute grid over a few hours, so gaps of exactly the timeout, gaps just over
 * it, equal times and client session ids that change all come up; a few arrive twice (a
 * redelivery racing an anonymous copy).
 */
const arrivals = fc
  .uniqueArray(
    fc.record({
      userId: fc.constantFrom(...USERS),
      slot: fc.integer({ min: 0, max: 60 }),
      messageId: fc.stringMatching(/^[a-e][0-9]$/),
      rawType: fc.constantFrom('page', 'track', 'identify', 'screen'),
      clientSessionId: fc.option(fc.constantFrom('s1', 's2'), { nil: undefined, freq: 3 }),
      url: fc.option(fc.constantFrom('https://x.test/', 'https://x.test/docs'), { nil: undefined }),
    }),
    { selector: (e) => `${e.userId}/${e.messageId}`, minLength: 1, maxLength: 30 },
  )
  .chain((events) => {
    const all: Arrival[] = events.map((e) => ({
      userId: e.userId,
      activity: {
        messageId: e.messageId,
        occurredAt: new Date(T0 + e.slot * 5 * 60_000).toISOString(),
        rawType: e.rawType,
        ...(e.clientSessionId === undefined ? {} : { clientSessionId: e.clientSessionId }),
        ...(e.url === undefined ? {} : { url: e.url }),
      },
    }));
    return fc.tuple(
      fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }),
      fc.subarray(all, { maxLength: Math.min(3, all.length) }),
      fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
      // deliveries: how many arrivals each holds, and whether a lone activity is in the old shape
      fc.array(fc.record({ size: fc.integer({ min: 1, max: 6 }), legacy: fc.boolean() }), {
        minLength: 1,
        maxLength: 10,
      }),
    );
  });

type Delivery = { readonly size: number; readonly legacy: boolean };

/**
 * The stored events of the arrivals, as mappers write them: each delivery's activities grouped
 * per user in one `ActivitiesRecorded`, or a lone one as the `ActivityRecorded` of older mappers.
 */
const recordedOf = (arrivals: readonly Arrival[], deliveries: readonly Delivery[]): RecordedEvent[] => {
  const events: RecordedEvent[] = [];
  for (let i = 0, d = 0; i < arrivals.length; d++) {
    const delivery = deliveries[d % deliveries.length] ?? { size: 1, legacy: true };
    const slice = arrivals.slice(i, i + delivery.size);
    i += slice.length;
    for (const userId of USERS) {
      const activities = slice.filter((a) => a.userId === userId).map((a) => a.activity);
      const [first] = activities;
      if (first === undefined) continue;
      const position = BigInt(events.length + 1);
      const legacy = delivery.legacy && activities.length === 1;
      events.push({
        id: `e-${position}`,
        type: legacy ? ACTIVITY_RECORDED : ACTIVITIES_RECORDED,
        data: legacy ? first : { activities },
        metadata: { occurredAt: first.occurredAt, sourceMessageIds: activities.map((a) => a.messageId) },
        streamId: activityStreamOf(userId),
        revision: position,
        position: { commit: position, prepare: position },
        recordedAt: first.occurredAt,
      });
    }
  }
  return events;
};

/**
 * The sessions projection, fed each user's events in any arrival order, grouping and batches, keeps
 * exactly the sessions that cutting all of them sorted by time gives.
 */
export const checkSessionsMatchRecomputation = async (
  openStore: () => Promise<{ store: SessionStore; cleanup: () => Promise<void> }>,
  numRuns: number,
): Promise<void> => {
  const rules = sessionRulesOf(TIMEOUT_MINUTES);
  await fc.assert(
    fc.asyncProperty(arrivals, async ([order, again, batchSizes, deliveries]) => {
      const { store, cleanup } = await openStore();
      try {
        await applyInBatches(store, recordedOf([...order, ...again], deliveries), batchSizes);
        for (const userId of USERS) {
          const expected = sessionize(
            userId,
            order.filter((a) => a.userId === userId).map((a) => a.activity),
            rules,
          ).reverse();
          expect(await store.sessionsOf(userId)).toEqual(expected);
        }
      } finally {
        await cleanup();
      }
    }),
    { numRuns },
  );
};

/** the events through the sessions projection in batches of `sizes` (repeated), each stored with its checkpoint */
const applyInBatches = async (
  store: SessionStore,
  events: readonly RecordedEvent[],
  sizes: readonly number[],
  afterBatch?: (batchIndex: number) => Promise<void>,
): Promise<void> => {
  const projection = sessionsProjection(TIMEOUT_MINUTES);
  let from: RecordedEvent['position'] | null = null;
  for (let i = 0, b = 0; i < events.length; b++) {
    const batch = events.slice(i, i + (sizes[b % sizes.length] ?? 1));
    i += batch.length;
    const to = batch[batch.length - 1]?.position ?? { commit: 0n, prepare: 0n };
    const result = await store.applyBatch(projection.name, { from, to }, (writer) => {
      for (const event of batch) projection.apply(event, writer);
    });
    expect(result).toEqual({ kind: 'stored' });
    from = to;
    await afterBatch?.(b);
  }
};

type BulkLoadingStore = SessionStore & {
  beginBulkLoad?(): Promise<boolean>;
  commitBulkLoad?(): Promise<void>;
  endBulkLoad?(): Promise<void>;
};

/**
 * The same events, late ones and redeliveries among them, applied to a store starting from
 * nothing as one bulk load (committed now and then) and to another batch by batch: both keep
 * the same sessions, and the same daily figures.
 */
export const checkBulkLoadMatchesIncremental = async (
  openStore: () => Promise<{ store: BulkLoadingStore; cleanup: () => Promise<void> }>,
  numRuns: number,
): Promise<void> => {
  const bulkLoad = async (store: BulkLoadingStore, events: readonly RecordedEvent[], sizes: readonly number[]) => {
    const bulk = (await store.beginBulkLoad?.()) === true;
    await applyInBatches(store, events, sizes, async (b) => {
      if (bulk && b % 3 === 2) await store.commitBulkLoad?.();
    });
    if (bulk) await store.endBulkLoad?.();
    return bulk;
  };
  await fc.assert(
    fc.asyncProperty(arrivals, async ([order, again, batchSizes, deliveries]) => {
      const bulk = await openStore();
      const incremental = await openStore();
      try {
        const events = recordedOf([...order, ...again], deliveries);
        expect(await bulkLoad(bulk.store, events, batchSizes)).toBe(true);
        await applyInBatches(incremental.store, events, [1]);
        for (const userId of USERS)
          expect(await bulk.store.sessionsOf(userId)).toEqual(await incremental.store.sessionsOf(userId));
        expect(await bulk.store.sessionsByDay('2026-01-01', '2026-12-31')).toEqual(
          await incremental.store.sessionsByDay('2026-01-01', '2026-12-31'),
        );
      } finally {
        await bulk.cleanup();
        await incremental.cleanup();
      }
    }),
    { numRuns },
  );
};
