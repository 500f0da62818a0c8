import type { Activity } from '../../../domain/sessions/activity.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import { activityDataOf, REPLACING_SESSION, SESSION_COLUMNS, sessionRowOf } from './sessionStatements.ts';
import type { SessionTableNames } from './sessionTables.ts';

/** a statement per 64 rows instead of one each: a quarter less time to stage (docs/performance.md) */
const ROWS_PER_INSERT = 64;

type StageDefinition = {
  readonly stage: string;
  readonly columns: readonly string[];
  /** moves the stage's rows into the keyed table, in its key order */
  readonly merge: string;
};

const stagesOf = ({ activity: A, sessions: S }: SessionTableNames) => {
  const columns = SESSION_COLUMNS.join(', ');
  return {
    activity: {
      stage: `${A}_bulk`,
      columns: ['user_id', 'at', 'message_id', 'data'],
      merge: `INSERT OR IGNORE INTO ${A} (user_id, at, message_id, data)
        SELECT user_id, at, message_id, data FROM ${A}_bulk ORDER BY user_id, at, message_id`,
    },
    sessions: {
      stage: `${S}_bulk`,
      columns: SESSION_COLUMNS,
      // a session staged twice (extended after a commit) keeps its last version
      merge: `INSERT INTO ${S} (${columns})
        SELECT ${columns} FROM ${S}_bulk
        WHERE rowid IN (SELECT MAX(rowid) FROM ${S}_bulk GROUP BY session_id)
        ORDER BY user_id, started_at, first_message_id
        ${REPLACING_SESSION}`,
    },
  } satisfies Record<string, StageDefinition>;
};

const exists = (db: SqliteDatabase, table: string): boolean =>
  db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(table) !== undefined;

/**
 * Moves what a bulk load staged into the tables and drops the stages: at the end of the load, or
 * on opening a file whose load was cut short (its checkpoint counts what was staged).
 */
export const mergeBulkStages = (db: SqliteDatabase, tables: SessionTableNames): void => {
  const left = Object.values(stagesOf(tables)).filter((definition) => exists(db, definition.stage));
  if (left.length === 0) return;
  db.transaction(() => {
    for (const { stage, merge } of left) {
      db.exec(merge);
      db.exec(`DROP TABLE ${stage}`);
    }
  }).immediate();
};

/**
 * Rows appended to a table of their own in arrival order, and moved into their keyed table in
 * key order when something reads that table, or at the end. A commit then writes a few new
 * pages, where inserts spread over every user's part of the keyed table rewrote most of its
 * pages each time (docs/performance.md).
 */
class BulkStage {
  private readonly insertOne;
  private readonly insertMany;
  private readonly merge;
  private readonly clear;
  private readonly width: number;
  private staged = 0;
  /** the parameters of up to ROWS_PER_INSERT rows not inserted yet */
  private buffered: (string | number)[] = [];

  constructor(
    private readonly db: SqliteDatabase,
    private readonly definition: StageDefinition,
  ) {
    const { stage, columns } = definition;
    this.width = columns.length;
    db.exec(`CREATE TABLE IF NOT EXISTS ${stage} (${columns.join(', ')})`);
    const row = `(${columns.map(() => '?').join(', ')})`;
    const insert = `INSERT INTO ${stage} (${columns.join(', ')}) VALUES `;
    this.insertOne = db.prepare<(string | number)[]>(insert + row);
    this.insertMany = db.prepare<(string | number)[]>(insert + Array(ROWS_PER_INSERT).fill(row).join(', '));
    this.merge = db.prepare(definition.merge);
    this.clear = db.prepare(`DELETE FROM ${stage}`);
  }

  protected add(...row: (string | number)[]): void {
    this.buffered.push(...row);
    if (this.buffered.length === ROWS_PER_INSERT * this.width) this.write();
  }

  /** inserts what is buffered, inside the caller's transaction: before it commits or reads */
  write(): void {
    const rows = this.buffered;
    if (rows.length === 0) return;
    this.buffered = [];
    if (rows.length === ROWS_PER_INSERT * this.width) this.insertMany.run(...rows);
    else for (let i = 0; i < rows.length; i += this.width) this.insertOne.run(...rows.slice(i, i + this.width));
    this.staged += rows.length / this.width;
  }

  /** moves what is staged into the keyed table, inside the caller's transaction */
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
    this.db.exec(`DROP TABLE IF EXISTS ${this.definition.stage}`);
  }
}

/**
 * A bulk load's activity. It takes every activity: a redelivered one is not after the user's
 * latest session, so its recut reads the table, which keeps one copy, and cuts the same sessions
 * again. Knowing the keys without a read took a set of every (user, messageId), which cost more
 * in garbage collection than the recuts it saved (docs/performance.md).
 */
export class ActivityStage extends BulkStage {
  constructor(db: SqliteDatabase, tables: SessionTableNames) {
    super(db, stagesOf(tables).activity);
  }

  addActivity(userId: string, activity: Activity): void {
    this.add(userId, Date.parse(activity.occurredAt), activity.messageId, activityDataOf(activity));
  }
}

/** A bulk load's sessions, each version as it was written at a commit: the merge keeps the last. */
export class SessionStage extends BulkStage {
  constructor(db: SqliteDatabase, tables: SessionTableNames) {
    super(db, stagesOf(tables).sessions);
  }

  putSession(session: Session): void {
    this.add(...sessionRowOf(session));
  }
}
