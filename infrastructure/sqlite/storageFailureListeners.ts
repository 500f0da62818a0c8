import type Database from 'better-sqlite3';
import { type StorageFailure, storageFailureOf } from './storageFailure.ts';

type Listener = (failure: StorageFailure) => void;

/** this thread's listeners: the app shell (main thread) or the forwarder to it (worker threads) */
const listeners = new Set<Listener>();

/**
 * Listens for writes the storage refused (disk full, read-only, I/O error) in any SQLite
 * connection of this thread. Without a listener such errors only propagate, as any error
 * does (tests, CLI commands); the app shell listens and stops the process.
 */
export const onStorageFailure = (listener: Listener): (() => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

/** tells this thread's listeners; also how a worker's failure reaches the main thread's */
export const reportStorageFailure = (failure: StorageFailure): void => {
  for (const listener of listeners) listener(failure);
};

/** for writes outside SQLite (report files): tells the listeners when `error` is a storage failure */
export const reportIfStorageFailure = (error: unknown, file: string): void => {
  if (listeners.size === 0) return;
  const failure = storageFailureOf(error, file);
  if (failure) reportStorageFailure(failure);
};

const watched = <Args extends unknown[], Result>(
  file: string,
  fn: (this: unknown, ...args: Args) => Result,
): ((this: unknown, ...args: Args) => Result) =>
  function (this: unknown, ...args: Args): Result {
    try {
      return fn.apply(this, args);
    } catch (error) {
      reportIfStorageFailure(error, file);
      throw error;
    }
  };

/**
 * Every write of this connection goes through `transaction` or `exec` (adapters commit their
 * writes in transactions), so watching those two catches a refused write wherever it
 * happens, including the commit itself. The error still propagates to the caller.
 */
export const watchWrites = (db: Database.Database, file: string): void => {
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const tx = transaction(fn);
    return Object.assign(watched(file, tx), {
      default: watched(file, tx.default),
      deferred: watched(file, tx.deferred),
      immediate: watched(file, tx.immediate),
      exclusive: watched(file, tx.exclusive),
    });
  }) as typeof db.transaction;
  const exec = db.exec.bind(db);
  db.exec = watched(file, (sql: string) => exec(sql)) as typeof db.exec;
};
