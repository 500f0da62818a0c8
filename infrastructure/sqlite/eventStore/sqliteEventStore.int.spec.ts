import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEventStoreContract } from '../../../application/ports/eventStore/eventStore.contract.ts';
import { isValidationError } from '../../../domain/errors/journeyError.ts';
import { countSqliteCommits } from '../../../testing/sqlite/countSqliteCommits.ts';
import { sqliteTestFiles } from '../../../testing/sqliteTestFiles.ts';
import { SqliteEventStore } from './sqliteEventStore.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('events');
});
afterAll(async () => {
  await files.remove();
});

describeEventStoreContract('sqlite', async () => {
  const store = new SqliteEventStore(files.file(), { pollIntervalMs: 20 });
  return { store, cleanup: () => store.close() };
});

const event = (id: string, data: unknown = {}) => ({ id, type: 'T', data });

describe('SqliteEventStore', () => {
  it('commits appends made in the same tick together, and awaited ones one by one', async () => {
    const commits = countSqliteCommits();
    const file = files.file();
    const store = new SqliteEventStore(file);
    try {
      const opened = commits.of(file);
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.append(`journey-${i}`, [event(`e-${i}`)])));
      expect(commits.of(file) - opened).toBe(1);
      expect(await store.readAll()).toHaveLength(50);
      for (const i of [1, 2, 3]) await store.append(`later-${i}`, [event(`later-${i}`)]);
      expect(commits.of(file) - opened).toBe(4);
    } finally {
      commits.stop();
      await store.close();
    }
  });

  it('keeps everything across a reopen, and continues the revisions', async () => {
    const file = files.file();
    const first = new SqliteEventStore(file);
    await first.append('s', [event('e-1', { n: 1 }), event('e-2')]);
    await first.close();
    const second = new SqliteEventStore(file);
    expect((await second.readStream('s')).map((e) => e.data)).toEqual([{ n: 1 }, {}]);
    expect((await second.append('s', [event('e-3')], { expectedRevision: 1n })).nextExpectedRevision).toBe(2n);
    await second.close();
  });

  it("shows a subscriber another process's appends by polling", async () => {
    const file = files.file();
    const reader = new SqliteEventStore(file, { pollIntervalMs: 10 });
    const writer = new SqliteEventStore(file);
    const subscription = reader.subscribeAll();
    const iterator = subscription[Symbol.asyncIterator]();
    const next = iterator.next();
    await writer.append('s', [event('e-1')]);
    const result = await next;
    expect(result.done ? [] : result.value.map((e) => e.id)).toEqual(['e-1']);
    await subscription.close();
    await Promise.all([reader.close(), writer.close()]);
  });

  it('refuses an event id already used by another stream with a validation error', async () => {
    const store = new SqliteEventStore(files.file());
    await store.append('a', [event('e-1')]);
    await expect(store.append('b', [event('e-1')])).rejects.toSatisfy(isValidationError);
    await expect(store.append('c', [event('e-2'), event('e-2')])).rejects.toSatisfy(isValidationError);
    expect(await store.readAll()).toHaveLength(1);
    await store.close();
  });

  it('commits a group with replayed and clashing ids as if each append ran alone, leaving no half append', async () => {
    const store = new SqliteEventStore(files.file());
    await store.append('s', [event('e-1')]);
    const [fresh, replay, clash, after] = await Promise.allSettled([
      store.append('t', [event('t-1'), event('t-2')]),
      store.append('s', [event('e-1'), event('e-2')]),
      store.append('u', [event('u-1'), event('e-1')]),
      store.append('t', [event('t-3')]),
    ]);
    expect(fresh).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1n } });
    expect(replay).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 1n } });
    expect(clash.status === 'rejected' && isValidationError(clash.reason)).toBe(true);
    expect(after).toMatchObject({ status: 'fulfilled', value: { nextExpectedRevision: 2n } });
    expect((await store.readAll()).map((e) => `${e.streamId}:${e.id}`)).toEqual([
      's:e-1',
      't:t-1',
      't:t-2',
      's:e-2',
      't:t-3',
    ]);
    await store.close();
  });

  it('rejects appends after close with a clear error', async () => {
    const store = new SqliteEventStore(files.file());
    await store.close();
    await expect(store.append('s', [event('e-1')])).rejects.toThrow(/closed/);
  });
});
