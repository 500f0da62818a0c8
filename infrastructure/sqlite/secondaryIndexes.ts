import type { SqliteDatabase } from './openDatabase.ts';

/** An index that only queries need; `name` is its canonical name. */
export type SecondaryIndex = {
  readonly name: string;
  readonly table: string;
  readonly columns: string;
  /** a partial index's condition */
  readonly where?: string;
};

/** the names the index exists under on its table: canonical, rebuilt, or none */
const namesOf = (db: SqliteDatabase, index: SecondaryIndex): string[] =>
  db
    .prepare<[string, string, string], { name: string }>(
      `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND (name = ? OR name LIKE ? ESCAPE '\\')`,
    )
    .all(index.table, index.name, `${index.name.replaceAll('_', '\\_')}\\_\\_v%`)
    .map((row) => row.name);

/**
 * SQLite cannot rename an index, so a rebuilt table swapped in under the live name keeps
 * the index it was built with, named `<canonical>__v<version>`. An index counts as present
 * when one of either name exists on the table; creating it again would double every write.
 */
export const indexExists = (db: SqliteDatabase, index: SecondaryIndex): boolean => namesOf(db, index).length > 0;

/** Drops each index under whichever name it has; `ensureIndexes` builds them again. */
export const dropIndexes = (db: SqliteDatabase, indexes: readonly SecondaryIndex[]): void => {
  for (const index of indexes) for (const name of namesOf(db, index)) db.exec(`DROP INDEX IF EXISTS ${name}`);
};

/** Creates each index unless it exists under its canonical or a rebuilt name. */
export const ensureIndexes = (db: SqliteDatabase, indexes: readonly SecondaryIndex[], suffix = ''): void => {
  for (const index of indexes) {
    if (indexExists(db, index)) continue;
    db.exec(
      `CREATE INDEX IF NOT EXISTS ${index.name}${suffix} ON ${index.table} (${index.columns})${index.where ? ` WHERE ${index.where}` : ''}`,
    );
  }
};
