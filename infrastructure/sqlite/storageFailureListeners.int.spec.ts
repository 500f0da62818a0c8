import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqliteTestFiles } from '../../testing/sqliteTestFiles.ts';
import { GroupCommit } from './groupCommit.ts';
import { openDatabase } from './openDatabase.ts';
import type { StorageFailure } from './storageFailure.ts';
import { onStorageFailure } from './storageFailureListeners.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('storage');
});
afterAll(async () => {
  await files.remove();
});

const failureOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the write to fail');
};

describe('a write the storage refuses is reported to the thread’s listeners (real SQLite files)', () => {
  const reported: StorageFailure[] = [];
  let unlisten: () => void = () => {};
  afterEach(() => {
    unlisten();
    reported.length = 0;
  });
  const listen = () => {
    unlisten = onStorageFailure((f) => reported.push(f));
  };

  it('a full database (SQLITE_FULL, here from max_page_count): reported with the file and what to do; the error still reaches the caller', () => {
    const file = files.file();
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (v TEXT)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    listen();
    const insert = db.transaction((n: number) => {
      for (let i = 0; i < n; i++) db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(1000));
    });
    expect(failureOf(() => insert.immediate(100))).toMatchObject({ code: 'SQLITE_FULL' });
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({ kind: 'full', code: 'SQLITE_FULL', file });
    expect(reported[0]?.message).toMatch(/^cannot write .*\.db: the disk is full \(SQLITE_FULL: .*\); free space/);
    expect(reported[0]?.message).toMatch(/then start Journey again$/);
    // rolled back, and the file opens again
    db.close();
    const again = openDatabase(file);
    expect(again.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 0 });
    again.close();
  });

  it('a read-only database (SQLITE_READONLY, here from query_only): reported as read-only', () => {
    const file = files.file();
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (v TEXT)');
    db.pragma('query_only = 1');
    listen();
    const error = failureOf(() => db.exec("INSERT INTO t VALUES ('x')"));
    expect(error).toMatchObject({ code: expect.stringMatching(/^SQLITE_READONLY/) });
    expect(reported).toEqual([expect.objectContaining({ kind: 'read-only', file })]);
    expect(reported[0]?.message).toMatch(/it is read-only \(SQLITE_READONLY.*make .* writable/);
    db.close();
  });

  it('a group commit that fails this way: every request gets the 503 error with the hint, and the failure is reported once', async () => {
    const file = files.file();
    const db = openDatabase(file);
    db.exec('CREATE TABLE t (v TEXT)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const group = new GroupCommit<string, number>(
      (values) =>
        db
          .transaction(() => {
            for (const v of values) insert.run(v);
            return values.map(() => ({ ok: true as const, result: 1 }));
          })
          .immediate(),
      'test log',
    );
    listen();
    const results = await Promise.allSettled(['a'.repeat(5000), 'b'.repeat(5000)].map((v) => group.submit(v)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(
      /test log: .*disk holding the data directory is full/,
    );
    expect(reported).toHaveLength(1);
    db.close();
  });

  it('other errors (a constraint) are not storage failures; without a listener nothing is reported', () => {
    const db = openDatabase(files.file());
    db.exec('CREATE TABLE t (v TEXT PRIMARY KEY)');
    listen();
    const insert = db.transaction(() => {
      db.prepare("INSERT INTO t VALUES ('x')").run();
      db.prepare("INSERT INTO t VALUES ('x')").run();
    });
    expect(failureOf(() => insert())).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(reported).toEqual([]);
    db.close();
  });
});
