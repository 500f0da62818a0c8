import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigError } from '../../domain/errors/journeyError.ts';
import { sqliteTestFiles } from '../../testing/sqliteTestFiles.ts';
import { openDatabase } from './openDatabase.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('open');
});
afterAll(async () => {
  await files.remove();
});

const failureOf = (open: () => unknown): unknown => {
  try {
    open();
  } catch (error) {
    return error;
  }
  throw new Error('expected openDatabase to fail');
};

describe('openDatabase', () => {
  it('opens in WAL mode with the durability asked for', () => {
    const db = openDatabase(files.file(), { synchronous: 'FULL' });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('names the file and says what to do when its directory is missing', () => {
    const file = join(files.dir, 'missing', 'events.db');
    const error = failureOf(() => openDatabase(file));
    expect(error).toSatisfy(isConfigError);
    expect(String(error)).toContain(file);
    expect(String(error)).toContain(`mkdir -p ${join(files.dir, 'missing')}`);
  });

  it('says so when the directory is a file', async () => {
    const notADir = join(files.dir, 'plain-file');
    await writeFile(notADir, 'x');
    const error = failureOf(() => openDatabase(join(notADir, 'events.db')));
    expect(error).toSatisfy(isConfigError);
    expect(String(error)).toContain('is not a directory');
  });

  it('says so when the file is not a SQLite database', async () => {
    const file = join(files.dir, 'garbage.db');
    await writeFile(file, 'this is not a database, just text that is long enough to have a header'.repeat(20));
    const error = failureOf(() => openDatabase(file));
    expect(error).toSatisfy(isConfigError);
    expect(String(error)).toContain(file);
  });
});
