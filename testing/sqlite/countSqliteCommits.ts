import Database from 'better-sqlite3';

type TransactionFunction = (this: unknown, ...args: unknown[]) => unknown;
type Transaction = TransactionFunction & {
  readonly deferred: TransactionFunction;
  readonly immediate: TransactionFunction;
  readonly exclusive: TransactionFunction;
};

export type SqliteCommits = {
  /** transactions committed on connections to `file` (as the adapter was given it) since counting began */
  of(file: string): number;
  /** puts better-sqlite3 back as it was */
  stop(): void;
};

/**
 * Counts, per database file, the transactions that commit through better-sqlite3's
 * `db.transaction`, which the SQLite adapters use for every write, from outside the adapters:
 * a nested call is a savepoint and does not count, one that throws rolls back and does not
 * count. Start it before the adapters are made: they make their transactions when constructed.
 */
export const countSqliteCommits = (): SqliteCommits => {
  const counts = new Map<string, number>();
  const prototype = Database.prototype as unknown as { transaction(fn: TransactionFunction): Transaction };
  const original = prototype.transaction;
  prototype.transaction = function (this: Database.Database, fn: TransactionFunction): Transaction {
    const made = original.call(this, fn);
    const db = this;
    const counted = (variant: TransactionFunction): TransactionFunction =>
      function (this: unknown, ...args: unknown[]) {
        const outermost = !db.inTransaction;
        const result = variant.apply(this, args);
        if (outermost) counts.set(db.name, (counts.get(db.name) ?? 0) + 1);
        return result;
      };
    const wrapped = counted(made);
    Object.defineProperties(wrapped, {
      default: { value: wrapped },
      deferred: { value: counted(made.deferred) },
      immediate: { value: counted(made.immediate) },
      exclusive: { value: counted(made.exclusive) },
      database: { value: db, enumerable: true },
    });
    return wrapped as Transaction;
  };
  return {
    of: (file) => counts.get(file) ?? 0,
    stop: () => {
      prototype.transaction = original;
    },
  };
};
