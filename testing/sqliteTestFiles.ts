import { tempDataDir } from './tempDataDir.ts';

/** A temp directory for one spec file's databases: `file()` names a new one, `remove()` deletes them all. */
export const sqliteTestFiles = async (
  prefix: string,
): Promise<{ readonly dir: string; file(): string; remove(): Promise<void> }> => {
  const data = await tempDataDir(prefix);
  return { dir: data.dir, file: () => data.file(`${prefix}.db`), remove: data.remove };
};
