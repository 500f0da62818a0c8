import type { Activity } from '../../../domain/sessions/activity.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import { activityDataOf } from './sessionStatements.ts';
import type { SessionTableNames } from './sessionTables.ts';

/** a statement per 64 activities instead of one each: a third less time to stage (docs/performance.md) */
const ROWS_PER_INSERT = 64;

const stageOf = (tables: SessionTableNames): string => `${tables.activity}_bulk`;

/**
 * Moves what a bulk load staged into the activity table, in its key order, and drops the stage:
 * at the end of the load, or on opening a file whose load was cut short (its checkpoint counts
 * the staged activity).
 */
export const mergeActivityStage = (db: SqliteDatabase, tables: SessionTableNames): void => {
  const stage = stageOf(tables);
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(stage);
  if (exists === undefined) return;
  db.transaction(() => {
    db.exec(`INSERT OR IGNORE INTO ${tables.activity} (user_id, at, message_id, data)
      SELECT user_id, at, message_id, data FROM ${stage} ORDER BY user_id, at, message_id`);
    db.exec(`DROP TABLE ${stage}`);
  }).immediate();
};

/**
 * A bulk load's activity: appended to a stage table in arrival order (a commit writes a few new
 * pages, where inserts spread over every user's part of the keyed table rewrote most of its pages)
 * and moved into the table in key order when something reads it: a late event's recut, or the end.
 * It takes every activity: a redelivered one is not after the user's latest session, so its
 * recut reads the table, which keeps one copy, and cuts the same sessions again. Knowing the
 * keys without a read took a set of every (user, messageId), a third of the load's time in
 * garbage collection (docs/performance.md).
 */
export class ActivityStage {
  private readonly stage: string;
  private readonly insert;
  private readonly insertRows;
  private readonly merge;
  private readonly clear;
  private staged = 0;
  /** the parameters of up to ROWS_PER_INSERT activities not yet inserted */
  private buffered: (string | number)[] = [];

  constructor(
    private readonly db: SqliteDatabase,
    tables: SessionTableNames,
  ) {
    this.stage = stageOf(tables);
    db.exec(`CREATE TABLE IF NOT EXISTS ${this.stage} (user_id TEXT NOT NULL, at INTEGER NOT NULL,
      message_id TEXT NOT NULL, data TEXT NOT NULL)`);
    this.insert = db.prepare<(string | number)[]>(
      `INSERT INTO ${this.stage} (user_id, at, message_id, data) VALUES (?, ?, ?, ?)`,
    );
    this.insertRows = db.prepare<(string | number)[]>(
      `INSERT INTO ${this.stage} (user_id, at, message_id, data) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?)').join(', ')}`,
    );
    this.merge = db.prepare(
      `INSERT OR IGNORE INTO ${tables.activity} (user_id, at, message_id, data)
       SELECT user_id, at, message_id, data FROM ${this.stage} ORDER BY user_id, at, message_id`,
    );
    this.clear = db.prepare(`DELETE FROM ${this.stage}`);
  }

  add(userId: string, activity: Activity): void {
    this.buffered.push(userId, Date.parse(activity.occurredAt), activity.messageId, activityDataOf(activity));
    if (this.buffered.length === ROWS_PER_INSERT * 4) this.write();
  }

  /** inserts what is buffered, inside the caller's transaction: before it commits or reads */
  write(): void {
    const rows = this.buffered;
    if (rows.length === 0) return;
    this.buffered = [];
    if (rows.length === ROWS_PER_INSERT * 4) this.insertRows.run(...rows);
    else for (let i = 0; i < rows.length; i += 4) this.insert.run(...rows.slice(i, i + 4));
    this.staged += rows.length / 4;
  }

  /** moves what is staged into the activity table, inside the caller's transaction */
  flush(): void {
    this.write();
    if (this.staged === 0) return;
    this.merge.run();
    this.clear.run();
    this.staged = 0;
  }

  /** moves the rest and drops the stage table, inside the caller's transaction */
  drop(): void {
    this.flush();
    this.db.exec(`DROP TABLE IF EXISTS ${this.stage}`);
  }
}
