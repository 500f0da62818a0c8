import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TempDataDir = {
  readonly dir: string;
  /** a new, unused file name in the directory */
  file(name: string): string;
  /** deletes the directory and all in it */
  remove(): Promise<void>;
};

/** A fresh directory under the OS temp dir (`journey-<prefix>-…`) for one spec's or bench's data. */
export const tempDataDir = async (prefix: string): Promise<TempDataDir> => {
  const dir = await mkdtemp(join(tmpdir(), `journey-${prefix}-`));
  let n = 0;
  return {
    dir,
    file: (name) => join(dir, `${++n}-${name}`),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
};
