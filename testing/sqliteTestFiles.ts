import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp directory for one spec file's databases: `file()` names a new one, `remove()` deletes them all. */
export const sqliteTestFiles = async (
  prefix: string,
): Promise<{ readonly dir: string; file(): string; remove(): Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), `journey-${prefix}-`));
  let n = 0;
  return {
    dir,
    file: () => join(dir, `${prefix}-${++n}.db`),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
};
