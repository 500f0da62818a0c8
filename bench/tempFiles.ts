import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type TempFiles = {
  readonly dir: string;
  /** a new, unused file name in the directory */
  file(name: string): string;
  remove(): Promise<void>;
};

/** One directory under the OS temp dir for every SQLite file of the bench; `remove()` deletes it all. */
export const tempFiles = async (): Promise<TempFiles> => {
  const dir = await mkdtemp(join(tmpdir(), 'journey-bench-'));
  // Ctrl-C skips `finally`: the hundreds of MB of databases would stay behind
  const onInterrupt = () => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let n = 0;
  return {
    dir,
    file: (name) => join(dir, `${++n}-${name}`),
    remove: async () => {
      process.off('SIGINT', onInterrupt);
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** a SQLite database and its WAL companions */
export const removeDatabase = async (file: string): Promise<void> => {
  await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(`${file}${suffix}`, { force: true })));
};
