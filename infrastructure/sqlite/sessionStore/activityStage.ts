import type { Activity } from '../../../domain/sessions/activity.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import type { SessionTableNames } from './sessionTables.ts';

/** past this many activities the keys held cost more memory than the stage saves (about 100 bytes each) */
export const STAGE_MAX_ACTIVITIES = 1_500_000;

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
 * Which (user, messageId) it holds is kept in memory, so a redelivery is known without a read.
 */
export class ActivityStage {
  private readonly held = new Set<string>();
  private readonly stage: string;
  private readonly insert;
  private readonly merge;
  private readonly clear;
  private staged = 0;

  constructor(
    private readonly db: SqliteDatabase,
    tables: SessionTableNames,
  ) {
    this.stage = stageOf(tables);
    db.exec(`CREATE TABLE IF NOT EXISTS ${this.stage} (user_id TEXT NOT NULL, at INTEGER NOT NULL,
      message_id TEXT NOT NULL, data TEXT NOT NULL)`);
    this.insert = db.prepare<[string, number, string, string]>(
      `INSERT INTO ${this.stage} (user_id, at, message_id, data) VALUES (?, ?, ?, ?)`,
    );
    this.merge = db.prepare(
      `INSERT OR IGNORE INTO ${tables.activity} (user_id, at, message_id, data)
       SELECT user_id, at, message_id, data FROM ${this.stage} ORDER BY user_id, at, message_id`,
    );
    this.clear = db.prepare(`DELETE FROM ${this.stage}`);
  }

  /** whether it can take more: past STAGE_MAX_ACTIVITIES the rest of the load writes the table itself */
  get full(): boolean {
    return this.held.size >= STAGE_MAX_ACTIVITIES;
  }

  /** stages the activity; false when the user has it already */
  add(userId: string, activity: Activity): boolean {
    const key = `${userId}\u0000${activity.messageId}`;
    if (this.held.has(key)) return false;
    this.held.add(key);
    this.insert.run(userId, Date.parse(activity.occurredAt), activity.messageId, JSON.stringify(activity));
    this.staged++;
    return true;
  }

  /** moves what is staged into the activity table, inside the caller's transaction */
  flush(): void {
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
