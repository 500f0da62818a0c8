import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activity, fullSession, pos, session } from './sessionStore.fixtures.ts';
import type { SessionStore, SessionWriter } from './sessionStore.ts';

export type SessionStoreFactory = () => Promise<{ store: SessionStore; cleanup: () => Promise<void> }>;

const ids = (list: readonly { sessionId: string }[]) => list.map((s) => s.sessionId);
const messageIds = (list: readonly { messageId: string }[]) => list.map((a) => a.messageId);

/** The SessionStore contract: every adapter runs it. */
export const describeSessionStoreContract = (name: string, factory: SessionStoreFactory): void => {
  describe(`SessionStore contract: ${name}`, () => {
    let fixture: Awaited<ReturnType<SessionStoreFactory>> | undefined;
    beforeEach(async () => {
      fixture = await factory();
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });
    const storeOf = (): SessionStore => {
      if (!fixture) throw new Error('no fixture: the factory failed');
      return fixture.store;
    };
    let position = 0;
    /** one batch after the last, read back inside the same transaction */
    const inBatch = async <T>(apply: (writer: SessionWriter) => T): Promise<T> => {
      const store = storeOf();
      let result: T | undefined;
      const from = await store.readCheckpoint('sessions');
      await store.applyBatch('sessions', { from, to: pos(++position) }, (writer) => {
        result = apply(writer);
      });
      return result as T;
    };

    it('moves the checkpoint with the batch, and writes nothing when `from` does not match', async () => {
      const store = storeOf();
      expect(await store.readCheckpoint('sessions')).toBeNull();
      const s1 = session('ada', '2026-05-01T10:00:00.000Z', 'm1');
      expect(await store.applyBatch('sessions', { from: null, to: pos(3) }, (w) => w.putSession(s1))).toEqual({
        kind: 'stored',
      });
      expect(await store.readCheckpoint('sessions')).toEqual(pos(3));
      const s2 = session('ada', '2026-05-01T12:00:00.000Z', 'm2');
      expect(await store.applyBatch('sessions', { from: pos(1), to: pos(5) }, (w) => w.putSession(s2))).toEqual({
        kind: 'mismatch',
        current: pos(3),
      });
      expect(ids(await store.sessionsOf('ada'))).toEqual([s1.sessionId]);
    });

    it('rolls back a batch whose apply throws', async () => {
      const store = storeOf();
      await expect(
        store.applyBatch('sessions', { from: null, to: pos(1) }, (w) => {
          w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'm1'));
          w.putSession(session('ada', '2026-05-01T10:00:00.000Z', 'm1'));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.readCheckpoint('sessions')).toBeNull();
      expect(await store.sessionsOf('ada')).toEqual([]);
      expect(await inBatch((w) => w.activities('ada', {}))).toEqual([]);
    });

    it("records a user's activity once per messageId, and reads it by time then messageId within bounds", async () => {
      const a = activity('2026-05-01T10:00:00.000Z', 'b', { rawType: 'page', url: 'https://x.test/', userAgent: 'UA' });
      const added = await inBatch((w) => [
        w.addActivity('ada', activity('2026-05-01T10:05:00.000Z', 'a')),
        w.addActivity('ada', a),
        w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'c')),
        w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'a0')),
        w.addActivity('ada', activity('2026-05-01T10:05:00.000Z', 'a')),
        w.addActivity('bob', activity('2026-05-01T10:05:00.000Z', 'a')),
      ]);
      expect(added).toEqual([true, true, true, true, false, true]);
      const read = await inBatch((w) => ({
        all: w.activities('ada', {}),
        from: w.activities('ada', { from: { at: '2026-05-01T10:00:00.000Z', messageId: 'b' } }),
        before: w.activities('ada', { before: { at: '2026-05-01T10:00:00.000Z', messageId: 'c' } }),
        between: w.activities('ada', {
          from: { at: '2026-05-01T10:00:00.000Z', messageId: 'b' },
          before: { at: '2026-05-01T10:05:00.000Z', messageId: 'a' },
        }),
      }));
      expect(messageIds(read.all)).toEqual(['a0', 'b', 'c', 'a']);
      expect(read.all[1]).toEqual(a);
      expect(messageIds(read.from)).toEqual(['b', 'c', 'a']);
      expect(messageIds(read.before)).toEqual(['a0', 'b']);
      expect(messageIds(read.between)).toEqual(['b', 'c']);
    });

    it("finds a user's latest session, the last one started before an instant, and those from a first event on", async () => {
      const early = session('ada', '2026-05-01T09:00:00.000Z', 'm1');
      const tieA = session('ada', '2026-05-01T10:00:00.000Z', 'm2');
      const tieB = session('ada', '2026-05-01T10:00:00.000Z', 'm3');
      const other = session('bob', '2026-05-01T11:00:00.000Z', 'm4');
      const read = await inBatch((w) => {
        for (const s of [tieB, early, other, tieA]) w.putSession(s);
        return {
          latest: w.latestSession('ada'),
          none: w.latestSession('cy'),
          before: w.sessionStartedBefore('ada', '2026-05-01T10:00:00.000Z'),
          beforeLater: w.sessionStartedBefore('ada', '2026-05-01T10:00:00.001Z'),
          beforeFirst: w.sessionStartedBefore('ada', '2026-05-01T09:00:00.000Z'),
          all: w.sessionsFrom('ada', undefined),
          fromTie: w.sessionsFrom('ada', { at: '2026-05-01T10:00:00.000Z', messageId: 'm3' }),
        };
      });
      expect(read.latest).toEqual(tieB);
      expect(read.none).toBeUndefined();
      expect(read.before).toEqual(early);
      expect(read.beforeLater).toEqual(tieB);
      expect(read.beforeFirst).toBeUndefined();
      expect(ids(read.all)).toEqual(ids([early, tieA, tieB]));
      expect(ids(read.fromTie)).toEqual(ids([tieB]));
    });

    it('answers from what earlier batches stored, as changed by its own writes', async () => {
      const s9 = session('ada', '2026-05-01T09:00:00.000Z', 'm0');
      const s10 = session('ada', '2026-05-01T10:00:00.000Z', 'm1');
      const s11 = session('ada', '2026-05-01T11:00:00.000Z', 'm2');
      await inBatch((w) => {
        for (const s of [s9, s10, s11]) w.putSession(s);
        w.addActivity('ada', activity('2026-05-01T09:00:00.000Z', 'm0'));
        w.addActivity('ada', activity('2026-05-01T11:00:00.000Z', 'm2'));
      });
      // each batch reads only what it checks: a wider read would load what a narrow one needs
      const before = await inBatch((w) => ({
        before: w.sessionStartedBefore('ada', '2026-05-01T10:30:00.000Z'),
        beforeAll: w.sessionStartedBefore('ada', '2026-05-01T09:00:00.000Z'),
      }));
      expect(before).toEqual({ before: s10, beforeAll: undefined });
      expect(await inBatch((w) => w.latestSession('ada'))).toEqual(s11);
      const afterDelete = await inBatch((w) => {
        w.deleteSessions('ada', [s11.sessionId, s10.sessionId]);
        return { latest: w.latestSession('ada'), before: w.sessionStartedBefore('ada', '2026-05-01T12:00:00.000Z') };
      });
      expect(afterDelete).toEqual({ latest: s9, before: s9 });
      const more = await inBatch((w) => ({
        added: w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'm1')),
        again: w.addActivity('ada', activity('2026-05-01T09:00:00.000Z', 'm0')),
        from: w.sessionsFrom('ada', { at: '2026-05-01T09:00:00.000Z', messageId: 'm0' }),
        activities: w.activities('ada', { from: { at: '2026-05-01T09:30:00.000Z', messageId: '' } }),
      }));
      expect(more).toEqual({
        added: true,
        again: false,
        from: [s9],
        activities: [activity('2026-05-01T10:00:00.000Z', 'm1'), activity('2026-05-01T11:00:00.000Z', 'm2')],
      });
    });

    it('keeps every field of a session, replaces it by id and deletes by id', async () => {
      const full = fullSession();
      await inBatch((w) => w.putSession(full));
      expect(await storeOf().sessionsOf('ada')).toEqual([full]);
      const longer = { ...full, endedAt: '2026-05-01T10:20:00.000Z', durationMs: 1_200_000, eventCount: 8 };
      const { exitUrl: _dropped, ...withoutExit } = longer;
      await inBatch((w) => w.putSession(withoutExit));
      expect(await storeOf().sessionsOf('ada')).toEqual([withoutExit]);
      const second = session('ada', '2026-05-01T12:00:00.000Z', 'm9');
      await inBatch((w) => w.putSession(second));
      await inBatch((w) => w.deleteSessions('ada', [full.sessionId]));
      expect(await storeOf().sessionsOf('ada')).toEqual([second]);
    });

    it("lists a user's sessions newest first, those that started within the range (both ends included)", async () => {
      const list = ['08:00', '09:00', '10:00', '11:00'].map((t, i) =>
        session('ada', `2026-05-01T${t}:00.000Z`, `m${i}`),
      );
      await inBatch((w) => {
        for (const s of list) w.putSession(s);
        w.putSession(session('bob', '2026-05-01T09:30:00.000Z', 'b1'));
      });
      const store = storeOf();
      expect(ids(await store.sessionsOf('ada'))).toEqual(ids([...list].reverse()));
      expect(
        ids(await store.sessionsOf('ada', { from: '2026-05-01T09:00:00.000Z', to: '2026-05-01T10:00:00.000Z' })),
      ).toEqual(ids([list[2], list[1]].filter((s) => s !== undefined)));
      expect(ids(await store.sessionsOf('ada', { from: '2026-05-01T10:30:00Z' }))).toEqual(ids(list.slice(3)));
      expect(await store.sessionsOf('cy')).toEqual([]);
    });

    it("totals each asked user's sessions that started in the range, in the order asked, time cut at its end", async () => {
      const range = { from: '2026-05-01T00:00:00.000Z', to: '2026-05-15T23:59:59.999Z' };
      await inBatch((w) => {
        // ada: two inside, one just before, one just after, and one going on past the end
        w.putSession(session('ada', range.from, 'a1', { durationMs: 60_000 }));
        w.putSession(session('ada', '2026-05-07T12:00:00.000Z', 'a2', { durationMs: 1_500_000 }));
        w.putSession(session('ada', '2026-04-30T23:59:59.999Z', 'a0', { durationMs: 600_000 }));
        w.putSession(session('ada', '2026-05-16T00:00:00.000Z', 'a4', { durationMs: 600_000 }));
        w.putSession(session('ada', '2026-05-15T23:50:00.000Z', 'a3', { durationMs: 1_200_000 }));
        // bob: only outside; cy: one starting at the very end, which has no time before it
        w.putSession(session('bob', '2026-04-01T10:00:00.000Z', 'b1', { durationMs: 60_000 }));
        w.putSession(session('cy', range.to, 'c1', { durationMs: 300_000 }));
        w.putSession(session('dan', '2026-05-02T10:00:00.000Z', 'd1', { durationMs: 42 }));
      });
      const store = storeOf();
      expect(await store.sessionTotalsOf(['cy', 'bob', 'nobody', 'ada', 'dan'], range)).toEqual([
        { userId: 'cy', sessions: 1, durationMs: 0 },
        { userId: 'ada', sessions: 3, durationMs: 60_000 + 1_500_000 + 600_000 - 1 },
        { userId: 'dan', sessions: 1, durationMs: 42 },
      ]);
      expect(await store.sessionTotalsOf(['dan'], { from: '2026-05-02T10:00:00.001Z', to: range.to })).toEqual([]);
      expect(await store.sessionTotalsOf([], range)).toEqual([]);
    });

    it('counts sessions per UTC day of their start: users, nearest-rank median and p90 durations, bounces', async () => {
      const minutes = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 30];
      await inBatch((w) => {
        for (const [i, m] of minutes.entries())
          w.putSession(
            session(i % 3 === 0 ? 'ada' : 'bob', `2026-05-02T0${i % 10}:00:00.000Z`, `d2-${i}`, {
              durationMs: m * 60_000,
              pageViews: i % 4 === 0 ? 1 : 2,
            }),
          );
        w.putSession(session('cy', '2026-05-01T23:59:59.999Z', 'd1', { durationMs: 42, pageViews: 1 }));
        w.putSession(session('cy', '2026-05-04T00:00:00.000Z', 'd4', { durationMs: 7, pageViews: 0 }));
        w.putSession(session('cy', '2026-05-05T00:00:00.000Z', 'd5'));
      });
      const sorted = [...minutes].sort((a, b) => a - b);
      expect(await storeOf().sessionsByDay('2026-05-01', '2026-05-04')).toEqual([
        { date: '2026-05-01', sessions: 1, users: 1, medianDurationMs: 42, p90DurationMs: 42, bounces: 1 },
        {
          date: '2026-05-02',
          sessions: 11,
          users: 2,
          medianDurationMs: (sorted[5] ?? 0) * 60_000,
          p90DurationMs: (sorted[9] ?? 0) * 60_000,
          bounces: minutes.filter((_, i) => i % 4 === 0).length,
        },
        { date: '2026-05-04', sessions: 1, users: 1, medianDurationMs: 7, p90DurationMs: 7, bounces: 0 },
      ]);
    });
  });
};
