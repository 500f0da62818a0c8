import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError } from '../../domain/errors/journeyError.ts';
import { watchWrites } from './storageFailureListeners.ts';

export type SqliteDatabase = Database.Database;

export type OpenDatabaseOptions = {
  /**
   * FULL where a resolved write is a promise made to someone outside (the raw log behind the
   * collector's 200); NORMAL where the data can be rebuilt or re-sent (WAL + NORMAL loses at
   * most the last commits on power loss, never consistency).
   */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** how long a writer waits for another process's write lock; default 5000 */
  readonly busyTimeoutMs?: number;
  /**
   * WAL pages before an automatic checkpoint (SQLite's default: 1000). Writes spread over many users
   * dirty hundreds of index pages per commit, so at 1000 nearly every other commit pays a checkpoint and
   * its fsync.
   */
  readonly walAutocheckpointPages?: number;
  /** page cache in KiB; DEFAULT_CACHE_KIB when unset */
  readonly cacheSizeKiB?: number;
};

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const missingDirectoryMessage = (file: string, dir: string): string =>
  `cannot open SQLite database ${file}: directory ${dir} does not exist; create it (mkdir -p ${dir}) or choose another data directory`;

const notADirectoryMessage = (file: string, dir: string): string =>
  `cannot open SQLite database ${file}: ${dir} is not a directory; choose another data directory`;

const unwritableDirectoryMessage = (file: string, dir: string): string =>
  `cannot open SQLite database ${file}: directory ${dir} is not writable by this process; fix its permissions or choose another data directory`;

const cannotOpenMessage = (file: string, error: unknown): string =>
  `cannot open SQLite database ${file}: ${reasonOf(error)}; check the path and its permissions`;

const cannotUseMessage = (file: string, error: unknown): string =>
  `cannot use SQLite database ${file}: ${reasonOf(error)}; is it a SQLite file, and is the disk writable and not full?`;

/** Fails with what is wrong and what to do, instead of SQLite's bare "unable to open database file". */
const checkDirectory = (file: string): void => {
  const dir = dirname(resolve(file));
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new ConfigError(missingDirectoryMessage(file, dir));
  }
  if (!isDirectory) {
    throw new ConfigError(notADirectoryMessage(file, dir));
  }
  try {
    // WAL needs to create the -wal and -shm files beside the database
    accessSync(dir, constants.W_OK);
  } catch {
    throw new ConfigError(unwritableDirectoryMessage(file, dir));
  }
};

/**
 * A connection's page cache unless its adapter asks for more. better-sqlite3 builds SQLite with 16 MiB
 * (not SQLite's 2 MiB), and `journey start` holds about 16 connections across its threads, each
 * cache filling as its file grows: about 380 MiB of RSS that climbed through a whole soak
 * (bench/soak). The files' pages stay in the OS page cache either way; see docs/performance.md#soak.
 */
export const DEFAULT_CACHE_KIB = 4_096;

/**
 * One connection with the settings every adapter wants: WAL (readers never block the writer), a busy
 * timeout so a second process waits for the write lock, and the durability asked for. A refused write
 * is reported to this thread's `onStorageFailure` listeners.
 */
export const openDatabase = (file: string, options: OpenDatabaseOptions = {}): SqliteDatabase => {
  if (file !== ':memory:') checkDirectory(file);
  let db: SqliteDatabase;
  try {
    db = new Database(file);
  } catch (error) {
    throw new ConfigError(cannotOpenMessage(file, error));
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    db.pragma('temp_store = MEMORY');
    if (options.walAutocheckpointPages !== undefined)
      db.pragma(`wal_autocheckpoint = ${options.walAutocheckpointPages}`);
    db.pragma(`cache_size = -${options.cacheSizeKiB ?? DEFAULT_CACHE_KIB}`);
  } catch (error) {
    db.close();
    throw new ConfigError(cannotUseMessage(file, error));
  }
  if (file !== ':memory:') watchWrites(db, resolve(file));
  return db;
};

/** SQLite's constraint errors, so adapters can map them to the port's errors */
export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Database.SqliteError &&
  (error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
