import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type Position,
  positionFromString,
  positionToString,
  type RecordedEvent,
} from '../../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult } from '../../application/ports/readModels/readModels.ts';
import {
  type ProjectionState,
  RebuildLockedError,
  type RebuildLockHolder,
  type RebuildTarget,
  type SwapResult,
} from '../../application/ports/rebuildTarget.ts';
import { openDatabase, type SqliteDatabase } from './openDatabase.ts';
import { ensureIndexes, type SecondaryIndex } from './secondaryIndexes.ts';

/** A table a projection owns, and the columns that order its content for the hash. */
export type OwnedTable = { readonly name: string; readonly orderBy: string };

/** What the shadow of one version writes with: its store, opened on the rebuild's connection. */
export type ShadowStore = {
  apply(
    checkpointName: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    batch: readonly RecordedEvent[],
  ): Promise<CheckpointResult>;
  /** makes what `apply` wrote durable, for a store that groups batches into one transaction */
  commit(): Promise<void>;
  readonly indexes: readonly SecondaryIndex[];
  close(): Promise<void>;
};

export type SqliteRebuildModel = {
  readonly name: string;
  readonly streamPrefix: string;
  readonly file: string;
  /** the table holding the projection's checkpoint (`checkpoints`, `alert_checkpoints`) */
  readonly checkpointTable: string;
  /** swapped in by a rebuild; every other table of the file is left alone */
  readonly owned: readonly OwnedTable[];
  /** tables the shadow store creates besides the owned ones (dropped at the swap) */
  readonly alsoCreated?: readonly string[];
  /** opens the shadow store on `db`, with each table `t` named `shadowOf(t)` and no secondary indexes yet */
  openShadow(db: SqliteDatabase, shadowOf: (table: string) => string): ShadowStore;
};

const META = `
CREATE TABLE IF NOT EXISTS projection_versions (
  projection TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  installed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS projection_rebuild_locks (
  projection TEXT PRIMARY KEY,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  since TEXT NOT NULL
);`;

/** `at`: the shadow's checkpoint as applied (it reaches the file when the store commits) */
type Shadow = { readonly version: number; readonly store: ShadowStore; at: Position | null };

/** how long a shadow's batches share one write transaction */
const SHADOW_COMMIT_MS = 1000;

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * One projection's rebuild in its SQLite read-model file. The shadow of version N lives in
 * the same file as tables `<table>__vN`, written on this target's own connection; `swap`
 * drops the live tables and renames the shadow ones in one IMMEDIATE transaction. Other
 * connections (the API, the live projector) keep reading their WAL snapshot of the old
 * tables until that commit; their prepared statements are recompiled by SQLite on the
 * schema change and then read the new ones.
 */
export class SqliteRebuildTarget implements RebuildTarget {
  readonly name: string;
  readonly streamPrefix: string;
  private readonly db: SqliteDatabase;
  private shadow: Shadow | undefined;
  /** when the shadow's writes were last committed: a group holds the file's write lock */
  private committedAt = 0;

  constructor(private readonly model: SqliteRebuildModel) {
    this.name = model.name;
    this.streamPrefix = model.streamPrefix;
    this.db = openDatabase(model.file, { synchronous: 'NORMAL', walAutocheckpointPages: 10_000, cacheSizeKiB: 65_536 });
    this.db.exec(META);
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${model.checkpointTable} (projection TEXT PRIMARY KEY, position TEXT NOT NULL)`,
    );
  }

  async state(): Promise<ProjectionState> {
    const lock = this.db
      .prepare<[string], RebuildLockHolder>(
        'SELECT pid, host, since FROM projection_rebuild_locks WHERE projection = ?',
      )
      .get(this.name);
    return {
      name: this.name,
      version: this.liveVersion(),
      checkpoint: this.checkpointOf(this.name),
      rebuild: lock ? { pid: lock.pid, host: lock.host, since: lock.since } : null,
    };
  }

  async lock(holder: RebuildLockHolder): Promise<void> {
    this.db
      .transaction(() => {
        const held = this.db
          .prepare<[string], RebuildLockHolder>(
            'SELECT pid, host, since FROM projection_rebuild_locks WHERE projection = ?',
          )
          .get(this.name);
        // a lock left by a process that died on this host is stale; elsewhere we cannot tell
        if (held && !(held.host === hostname() && !isAlive(held.pid))) throw new RebuildLockedError(this.name, held);
        this.db
          .prepare(
            `INSERT INTO projection_rebuild_locks (projection, pid, host, since) VALUES (?, ?, ?, ?)
             ON CONFLICT (projection) DO UPDATE SET pid = excluded.pid, host = excluded.host, since = excluded.since`,
          )
          .run(this.name, holder.pid, holder.host, holder.since);
      })
      .immediate();
  }

  async unlock(holder: RebuildLockHolder): Promise<void> {
    this.db
      .prepare('DELETE FROM projection_rebuild_locks WHERE projection = ? AND pid = ? AND host = ?')
      .run(this.name, holder.pid, holder.host);
  }

  async beginShadow(): Promise<number> {
    await this.dropShadow();
    const version = this.liveVersion() + 1;
    this.dropLeftovers(version);
    this.db
      .prepare(`DELETE FROM ${this.model.checkpointTable} WHERE projection = ?`)
      .run(this.shadowCheckpointName(version));
    const store = this.model.openShadow(this.db, (table) => `${table}__v${version}`);
    this.shadow = { version, store, at: null };
    this.committedAt = performance.now();
    return version;
  }

  async applyToShadow(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    const shadow = this.requireShadow();
    const { version, store } = shadow;
    const name = this.shadowCheckpointName(version);
    const result = await store.apply(name, { from: shadow.at, to: last.position }, batch);
    if (result.kind === 'mismatch') {
      throw new Error(`the shadow of ${this.name} v${version} was written by someone else; run the rebuild again`);
    }
    shadow.at = last.position;
    // the live projector writes the same file: it waits for the lock (busy timeout, 5 s) at most this long
    if (performance.now() - this.committedAt >= SHADOW_COMMIT_MS) await this.commitShadow();
  }

  private async commitShadow(): Promise<void> {
    await this.shadow?.store.commit();
    this.committedAt = performance.now();
  }

  async shadowCheckpoint(): Promise<Position | null> {
    await this.commitShadow();
    return this.checkpointOf(this.shadowCheckpointName(this.requireShadow().version));
  }

  async indexShadow(): Promise<void> {
    await this.commitShadow();
    const { version, store } = this.requireShadow();
    this.db.transaction(() => ensureIndexes(this.db, store.indexes, `__v${version}`)).immediate();
  }

  async swap(
    next: (after: Position | null) => Promise<readonly RecordedEvent[]>,
    options: { readonly verify?: boolean } = {},
  ): Promise<SwapResult> {
    await this.commitShadow();
    const { version, store } = this.requireShadow();
    const shadowName = this.shadowCheckpointName(version);
    // IMMEDIATE: the live projector waits for us (busy timeout) instead of writing the old
    // tables after the shadow caught up with them
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for (;;) {
        const batch = await next(this.requireShadow().at);
        if (batch.length === 0) break;
        await this.applyToShadow(batch);
      }
      const checkpoint = this.checkpointOf(shadowName);
      const hashes = options.verify
        ? {
            replaced: this.hashOf((t) => t),
            replacedCheckpoint: this.checkpointOf(this.name),
            rebuilt: this.hashOf((t) => `${t}__v${version}`),
          }
        : undefined;
      for (const { name } of this.model.owned) {
        this.db.exec(`DROP TABLE IF EXISTS ${name}; ALTER TABLE ${name}__v${version} RENAME TO ${name};`);
      }
      for (const name of this.model.alsoCreated ?? []) this.db.exec(`DROP TABLE IF EXISTS ${name}__v${version}`);
      const cps = this.model.checkpointTable;
      if (checkpoint === null) this.db.prepare(`DELETE FROM ${cps} WHERE projection = ?`).run(this.name);
      else
        this.db
          .prepare(
            `INSERT INTO ${cps} (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position`,
          )
          .run(this.name, positionToString(checkpoint));
      this.db.prepare(`DELETE FROM ${cps} WHERE projection = ?`).run(shadowName);
      this.db
        .prepare(
          `INSERT INTO projection_versions (projection, version, installed_at) VALUES (?, ?, ?)
           ON CONFLICT (projection) DO UPDATE SET version = excluded.version, installed_at = excluded.installed_at`,
        )
        .run(this.name, version, new Date().toISOString());
      this.db.exec('COMMIT');
      this.shadow = undefined;
      await store.close();
      return { version, checkpoint, ...(hashes ? { hashes } : {}) };
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  async dropShadow(): Promise<void> {
    const shadow = this.shadow;
    if (!shadow) return;
    this.shadow = undefined;
    await shadow.store.close();
    this.dropLeftovers(shadow.version);
    this.db
      .prepare(`DELETE FROM ${this.model.checkpointTable} WHERE projection = ?`)
      .run(this.shadowCheckpointName(shadow.version));
  }

  async contentHash(): Promise<string> {
    return this.hashOf((t) => t);
  }

  async close(): Promise<void> {
    await this.dropShadow();
    this.db.close();
  }

  /** sha256 over each owned table's rows in a fixed order, without storage detail (rowids) */
  private hashOf(nameOf: (table: string) => string): string {
    const hash = createHash('sha256');
    for (const table of [...this.model.owned].sort((a, b) => a.name.localeCompare(b.name))) {
      const name = nameOf(table.name);
      const columns = this.db
        .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${name}') ORDER BY cid`)
        .all()
        .map((c) => c.name)
        .filter((c) => c !== 'seq');
      hash.update(`${table.name}(${columns.join(',')})\n`);
      if (columns.length === 0) continue; // never created: an empty model
      const rows = this.db.prepare(`SELECT ${columns.join(', ')} FROM ${name} ORDER BY ${table.orderBy}`).raw();
      for (const row of rows.iterate()) hash.update(`${JSON.stringify(row)}\n`);
    }
    return hash.digest('hex');
  }

  private dropLeftovers(version: number): void {
    const leftovers = this.db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((t) => t.name)
      .filter(
        (t) =>
          this.model.owned.some((o) => t.startsWith(`${o.name}__v`)) ||
          (this.model.alsoCreated ?? []).some((o) => t === `${o}__v${version}`),
      );
    for (const t of leftovers) this.db.exec(`DROP TABLE IF EXISTS ${t}`);
  }

  private liveVersion(): number {
    const row = this.db
      .prepare<[string], { version: number }>('SELECT version FROM projection_versions WHERE projection = ?')
      .get(this.name);
    return row?.version ?? 1;
  }

  private checkpointOf(projection: string): Position | null {
    const row = this.db
      .prepare<[string], { position: string }>(
        `SELECT position FROM ${this.model.checkpointTable} WHERE projection = ?`,
      )
      .get(projection);
    return row ? positionFromString(row.position) : null;
  }

  private shadowCheckpointName(version: number): string {
    return `${this.name}@v${version}`;
  }

  private requireShadow(): Shadow {
    if (!this.shadow) throw new Error(`no shadow of ${this.name} is open; call beginShadow first`);
    return this.shadow;
  }
}
