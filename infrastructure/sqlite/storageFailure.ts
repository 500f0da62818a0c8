import { dirname } from 'node:path';

/**
 * The storage refused a write in a way retrying will not fix: disk full, read-only files, or a refused
 * write (SQLite's "disk I/O error" for `ulimit -f`, a read-only remount, a failing disk). Journey
 * stops on these (apps/cli/stopOnStorageFailure.ts).
 */
export type StorageFailure = {
  readonly kind: 'full' | 'read-only' | 'refused';
  /** SQLite's extended code (SQLITE_FULL, SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE) or the errno code */
  readonly code: string;
  /** the database (or other file) the write was for */
  readonly file: string;
  /** what happened, where, and what to do */
  readonly message: string;
};

const kindOf = (code: string): StorageFailure['kind'] | undefined => {
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return 'full';
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return 'read-only';
  if (code.startsWith('SQLITE_IOERR') || code === 'EFBIG' || code === 'EIO') return 'refused';
  return undefined;
};

const WHAT: Record<StorageFailure['kind'], string> = {
  full: 'the disk is full',
  'read-only': 'it is read-only',
  refused: 'the system refused the write',
};

const todo = (kind: StorageFailure['kind'], file: string): string => {
  const dir = dirname(file);
  switch (kind) {
    case 'full':
      return `free space on that disk (df -h ${dir})`;
    case 'read-only':
      return `make ${dir} and its files writable by this user (or remount the disk read-write)`;
    case 'refused':
      return `check free space (df -h ${dir}), a file-size limit (ulimit -f) and that ${dir} is writable`;
    default:
      return kind satisfies never;
  }
};

/** the coded error in `error` or its causes (an UnavailableError wraps SQLite's) */
const codeOf = (error: unknown): { code: string; detail: string } | undefined => {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && kindOf(code) !== undefined)
      return { code, detail: current instanceof Error ? current.message : code };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
};

const storageFailureMessage = (
  file: string,
  kind: StorageFailure['kind'],
  found: { readonly code: string; readonly detail: string },
): string =>
  `cannot write ${file}: ${WHAT[kind]} (${found.code}: ${found.detail}); ${todo(kind, file)}, then start Journey again`;

/** the storage failure `error` is, or undefined for anything else (a constraint, a busy lock) */
export const storageFailureOf = (error: unknown, file: string): StorageFailure | undefined => {
  const found = codeOf(error);
  if (!found) return undefined;
  const kind = kindOf(found.code);
  if (!kind) return undefined;
  return {
    kind,
    code: found.code,
    file,
    message: storageFailureMessage(file, kind, found),
  };
};

/** true when `error` (or a cause) is the storage refusing a write: never the fault of what was written */
export const isStorageFailure = (error: unknown): boolean => codeOf(error) !== undefined;

/** the same, as a hint to append to an error message that already names what failed */
export const storageFailureHint = (error: unknown): string => {
  const found = codeOf(error);
  const kind = found && kindOf(found.code);
  if (!kind) return '';
  if (kind === 'full') return '; the disk holding the data directory is full: free space';
  if (kind === 'read-only') return '; the database is read-only: make JOURNEY_DATA_DIR writable';
  return '; the system refused a write: check free space, a file-size limit (ulimit -f) and that JOURNEY_DATA_DIR is writable';
};
