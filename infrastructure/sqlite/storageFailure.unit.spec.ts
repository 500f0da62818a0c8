import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../domain/errors/journeyError.ts';
import { storageFailureOf } from './storageFailure.ts';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('storageFailureOf: which errors stop Journey', () => {
  it.each([
    ['SQLITE_FULL', 'full'],
    ['ENOSPC', 'full'],
    ['EDQUOT', 'full'],
    ['SQLITE_READONLY', 'read-only'],
    ['SQLITE_READONLY_DBMOVED', 'read-only'],
    ['EROFS', 'read-only'],
    ['SQLITE_IOERR_WRITE', 'refused'],
    ['SQLITE_IOERR_FSYNC', 'refused'],
    ['EFBIG', 'refused'],
    ['EIO', 'refused'],
  ])('%s is a storage failure (%s)', (code, kind) => {
    expect(storageFailureOf(coded(code), '/data/raw.db')).toMatchObject({ kind, code, file: '/data/raw.db' });
  });

  it.each(['SQLITE_BUSY', 'SQLITE_CONSTRAINT_UNIQUE', 'ECONNREFUSED', 'UNAVAILABLE'])(
    '%s is not (retrying or the caller handles it)',
    (code) => {
      expect(storageFailureOf(coded(code), '/data/raw.db')).toBeUndefined();
    },
  );

  it('finds SQLite’s error behind the UnavailableError a failed group commit throws', () => {
    const error = new UnavailableError('raw log: the transaction failed', {
      cause: coded('SQLITE_FULL', 'database or disk is full'),
    });
    expect(storageFailureOf(error, '/data/raw.db')?.message).toBe(
      'cannot write /data/raw.db: the disk is full (SQLITE_FULL: database or disk is full); free space on that disk (df -h /data), then start Journey again',
    );
  });

  it('anything without a code is not', () => {
    expect(storageFailureOf(new Error('boom'), '/data/raw.db')).toBeUndefined();
    expect(storageFailureOf('text', '/data/raw.db')).toBeUndefined();
    expect(storageFailureOf(undefined, '/data/raw.db')).toBeUndefined();
  });
});
