import { copyFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSessionStoreContract } from '../../../application/ports/sessionStore/sessionStore.contract.ts';
import { activity, fullSession, pos } from '../../../application/ports/sessionStore/sessionStore.fixtures.ts';
import {
  checkBulkLoadMatchesIncremental,
  checkSessionsMatchRecomputation,
} from '../../../testing/sessions/sessionsProperty.ts';
import { sqliteTestFiles } from '../../../testing/sqliteTestFiles.ts';
import { SqliteSessionStore } from './sqliteSessionStore.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('sessions');
});
afterAll(async () => {
  await files.remove();
});

const open = async () => {
  const store = new SqliteSessionStore(files.file());
  return { store, cleanup: () => store.close() };
};

describeSessionStoreContract('sqlite', open);

describe('SqliteSessionStore', () => {
  it('keeps sessions, activity and the checkpoint across a reopen', async () => {
    const file = files.file();
    const first = new SqliteSessionStore(file);
    await first.applyBatch('sessions', { from: null, to: pos(2) }, (w) => {
      w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'm1'));
      w.putSession(fullSession());
    });
    await first.close();
    const again = new SqliteSessionStore(file);
    try {
      expect(await again.readCheckpoint('sessions')).toEqual(pos(2));
      expect(await again.sessionsOf('ada')).toEqual([fullSession()]);
      await again.applyBatch('sessions', { from: pos(2), to: pos(3) }, (w) => {
        expect(w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'm1'))).toBe(false);
      });
    } finally {
      await again.close();
    }
  });

  it('keeps, whatever order the events arrive in, the sessions of all of them sorted by time', async () => {
    await checkSessionsMatchRecomputation(open, 40);
  });

  it('keeps, bulk loaded from nothing, the sessions that applying the same events batch by batch keeps', async () => {
    await checkBulkLoadMatchesIncremental(open, 40);
  });

  it('starts no bulk load on tables that hold anything', async () => {
    const store = new SqliteSessionStore(files.file());
    try {
      await store.applyBatch('sessions', { from: null, to: pos(1) }, (w) => {
        w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'm1'));
      });
      expect(await store.beginBulkLoad()).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('keeps the last version of a session a bulk load wrote at several commits', async () => {
    const store = new SqliteSessionStore(files.file());
    try {
      const first = fullSession();
      const longer = { ...first, endedAt: '2026-05-01T10:20:00.000Z', durationMs: 1_200_000, eventCount: 8 };
      expect(await store.beginBulkLoad()).toBe(true);
      await store.applyBatch('sessions', { from: null, to: pos(1) }, (w) => w.putSession(first));
      await store.commitBulkLoad();
      await store.applyBatch('sessions', { from: pos(1), to: pos(2) }, (w) => w.putSession(longer));
      await store.commitBulkLoad();
      await store.endBulkLoad();
      expect(await store.sessionsOf(first.userId)).toEqual([longer]);
    } finally {
      await store.close();
    }
  });

  it('moves the activity and sessions of a bulk load cut short into their tables when the file is opened again', async () => {
    const file = files.file();
    const first = new SqliteSessionStore(file);
    expect(await first.beginBulkLoad()).toBe(true);
    await first.applyBatch('sessions', { from: null, to: pos(1) }, (w) => {
      expect(w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'm1'))).toBe(true);
      w.putSession(fullSession());
    });
    await first.commitBulkLoad();
    // a process that dies here leaves the staged activity behind its committed checkpoint
    const copy = files.file();
    copyFileSync(file, copy);
    copyFileSync(`${file}-wal`, `${copy}-wal`);
    await first.close();
    const again = new SqliteSessionStore(copy);
    try {
      expect(await again.readCheckpoint('sessions')).toEqual(pos(1));
      expect(await again.sessionsOf(fullSession().userId)).toEqual([fullSession()]);
      await again.applyBatch('sessions', { from: pos(1), to: pos(2) }, (w) => {
        expect(w.addActivity('ada', activity('2026-05-01T10:00:00.000Z', 'm1'))).toBe(false);
        expect(w.activities('ada', {})).toEqual([activity('2026-05-01T10:00:00.000Z', 'm1')]);
      });
    } finally {
      await again.close();
    }
  });
});
