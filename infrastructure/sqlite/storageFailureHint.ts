/**
 * What a failed SQLite write most likely means and what to do, from its error code, for
 * the messages that carry it. SQLite says "disk I/O error" when the OS refuses a write for a
 * reason other than ENOSPC (a file-size limit such as `ulimit -f`, a read-only remount, a
 * failing disk), which on its own does not tell an operator where to look.
 */
export const storageFailureHint = (error: unknown): string => {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return '';
  if (code === 'SQLITE_FULL') return '; the disk holding the data directory is full: free space, then retry';
  if (code.startsWith('SQLITE_READONLY')) return '; the database is read-only: make JOURNEY_DATA_DIR writable';
  if (code.startsWith('SQLITE_IOERR'))
    return '; the system refused a write: check free space, a file-size limit (ulimit -f) and that JOURNEY_DATA_DIR is writable';
  return '';
};
