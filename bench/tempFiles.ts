import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type TempDataDir, tempDataDir } from '../testing/tempDataDir.ts';

export type TempFiles = TempDataDir;

/** One directory under the OS temp dir for every SQLite file of the bench; `remove()` deletes it all. */
export const tempFiles = async (): Promise<TempFiles> => {
  const data = await tempDataDir('bench');
  // Ctrl-C skips `finally`: the hundreds of MB of databases would stay behind
  const onInterrupt = () => {
    rmSync(data.dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  return {
    ...data,
    remove: async () => {
      process.off('SIGINT', onInterrupt);
      await data.remove();
    },
  };
};

/** a SQLite database and its WAL companions */
export const removeDatabase = async (file: string): Promise<void> => {
  await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(`${file}${suffix}`, { force: true })));
};
