import type pg from 'pg';
import {
  type Position,
  positionFromString,
  type RecordedEvent,
} from '../../../application/ports/eventStore/eventStore.ts';
import {
  type ProjectionState,
  RebuildLockedError,
  type RebuildLockHolder,
  type RebuildTarget,
  type SwapResult,
} from '../../../application/ports/rebuildTarget.ts';
import { PostgresReadSide } from '../postgresReadSide.ts';
import { contentHashOf } from './contentHash.ts';
import { installShadow } from './installShadow.ts';
import { rebuildStateOf, releaseRebuildLock, takeRebuildLock } from './rebuildLock.ts';
import type { PostgresRebuildModel, PostgresShadowStore } from './rebuildModels.ts';
import { checkedName, createShadowSchema, indexShadowTables } from './shadowSchema.ts';

type Shadow = { readonly version: number; readonly store: PostgresShadowStore; at: Position | null };

/** how long a shadow's batches share one write transaction (as SQLite's shadows) */
const SHADOW_COMMIT_MS = 1000;

/**
 * One projection's rebuild in the PostgreSQL read side. The shadow of the next version lives
 * in schema `journey_shadow_<name>` (tables as the live ones, same names), filled through the
 * projection's own store as a bulk load (COPY, query indexes built once at the end). `swap`,
 * on the connection holding the rebuild lock, makes the live writers wait, catches the shadow
 * up, moves the live tables out and the shadow's in, points the catalogue views at them and
 * moves the checkpoint in one transaction: readers keep the old tables until it commits.
 */
export class PostgresRebuildTarget implements RebuildTarget {
  readonly name: string;
  readonly streamPrefix: string;
  private readonly side: PostgresReadSide;
  private readonly shadowSchema: string;
  private readonly retiredSchema: string;
  /** the connection holding the rebuild lock, from `lock` to `unlock` */
  private locked: { readonly client: pg.PoolClient; readonly holder: RebuildLockHolder } | undefined;
  /** a held connection that the server ends says so on its next query, not as an unhandled event */
  private readonly ignoreError = () => undefined;
  private shadow: Shadow | undefined;
  private committedAt = 0;

  constructor(
    private readonly model: PostgresRebuildModel,
    url: string,
  ) {
    this.name = model.name;
    this.streamPrefix = model.streamPrefix;
    this.shadowSchema = `journey_shadow_${checkedName(model.name)}`;
    this.retiredSchema = `journey_retired_${model.name}`;
    this.side = new PostgresReadSide({ url, poolSize: 4, applicationName: `journey rebuild ${model.name}` });
  }

  async state(): Promise<ProjectionState> {
    const pool = await this.side.pool();
    const { version, holder } = await rebuildStateOf(pool, this.name);
    return { name: this.name, version, checkpoint: await this.checkpointOf(pool, 'journey'), rebuild: holder };
  }

  async lock(holder: RebuildLockHolder): Promise<void> {
    if (this.locked) throw new Error(`the rebuild of ${this.name} is locked by this target already`);
    const client = await (await this.side.pool()).connect();
    client.on('error', this.ignoreError);
    try {
      await takeRebuildLock(client, this.name, holder);
    } catch (error) {
      this.release(client, error instanceof RebuildLockedError);
      throw error;
    }
    this.locked = { client, holder };
  }

  async unlock(holder: RebuildLockHolder): Promise<void> {
    const locked = this.locked;
    if (!locked || locked.holder.pid !== holder.pid || locked.holder.host !== holder.host) return;
    this.locked = undefined;
    let unlocked = false;
    try {
      await releaseRebuildLock(locked.client, this.name, holder);
      unlocked = true;
    } catch {
      // a connection that cannot unlock is closed: its session's lock goes with it
    }
    this.release(locked.client, unlocked);
  }

  /**
   * Back to the pool when `healthy`, else closed. The error listener stays until then: the
   * end of a connection the server killed may be told after its last query failed.
   */
  private release(client: pg.PoolClient, healthy: boolean): void {
    if (!healthy) {
      client.release(true);
      return;
    }
    client.off('error', this.ignoreError);
    client.release();
  }

  async beginShadow(): Promise<number> {
    await this.dropShadow();
    const client = this.lockClient();
    const { version } = await rebuildStateOf(await this.side.pool(), this.name);
    await createShadowSchema(client, this.shadowSchema, this.model.shadowTables, this.model.seeded);
    await this.model.prepareShadow?.(client, this.shadowSchema);
    const store = await this.model.openShadow(await this.side.pool(), this.shadowSchema);
    this.shadow = { version: version + 1, store, at: null };
    this.committedAt = performance.now();
    return version + 1;
  }

  async applyToShadow(batch: readonly RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1];
    if (!last) return;
    const shadow = this.requireShadow();
    const result = await shadow.store.apply({ from: shadow.at, to: last.position }, batch);
    if (result.kind === 'mismatch') {
      throw new Error(
        `the shadow of ${this.name} v${shadow.version} was written by someone else; run the rebuild again`,
      );
    }
    shadow.at = last.position;
    if (performance.now() - this.committedAt >= SHADOW_COMMIT_MS) await this.commitShadow();
  }

  async shadowCheckpoint(): Promise<Position | null> {
    this.requireShadow();
    await this.commitShadow();
    return this.checkpointOf(await this.side.pool(), this.shadowSchema);
  }

  async indexShadow(): Promise<void> {
    this.requireShadow();
    await this.commitShadow();
    const owned = this.model.owned.map((t) => t.name);
    await indexShadowTables(this.lockClient(), this.shadowSchema, owned);
    // the planner's statistics, as a live table gathers them by autovacuum over time
    for (const table of owned) await this.lockClient().query(`ANALYZE ${this.shadowSchema}.${table}`);
  }

  async swap(
    next: (after: Position | null) => Promise<readonly RecordedEvent[]>,
    options: { readonly verify?: boolean } = {},
  ): Promise<SwapResult> {
    const shadow = this.requireShadow();
    const client = this.lockClient();
    const owned = this.model.owned;
    await client.query('BEGIN');
    try {
      // from here to the commit the live writers wait, so the shadow's catch-up is the last word
      await this.model.holdLiveWriters(client);
      for (;;) {
        const batch = await next(shadow.at);
        if (batch.length === 0) break;
        await this.applyToShadow(batch);
      }
      await this.commitShadow();
      const checkpoint = await this.checkpointOf(client, this.shadowSchema);
      const hashes = options.verify
        ? {
            replaced: await contentHashOf(client, 'journey', owned),
            replacedCheckpoint: await this.checkpointOf(client, 'journey'),
            rebuilt: await contentHashOf(client, this.shadowSchema, owned),
          }
        : undefined;
      await installShadow(client, {
        projection: this.name,
        shadowSchema: this.shadowSchema,
        retiredSchema: this.retiredSchema,
        tables: owned.map((t) => t.name),
        checkpointTable: this.model.checkpointTable,
        checkpoint,
        version: shadow.version,
      });
      await client.query('COMMIT');
      this.shadow = undefined;
      await shadow.store.close();
      await client.query(`DROP SCHEMA IF EXISTS ${this.shadowSchema} CASCADE`);
      return { version: shadow.version, checkpoint, ...(hashes ? { hashes } : {}) };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async dropShadow(): Promise<void> {
    const shadow = this.shadow;
    this.shadow = undefined;
    await shadow?.store.close().catch(() => undefined); // a failed group has rolled back already
    if (this.locked) await this.locked.client.query(`DROP SCHEMA IF EXISTS ${this.shadowSchema} CASCADE`);
  }

  async contentHash(): Promise<string> {
    const client = await (await this.side.pool()).connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const hash = await contentHashOf(client, 'journey', this.model.owned);
      await client.query('COMMIT');
      return hash;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    try {
      await this.dropShadow();
    } finally {
      // the pool ends once every connection is back: the lock's too, whatever happened to it
      try {
        if (this.locked) await this.unlock(this.locked.holder);
      } finally {
        await this.side.close();
      }
    }
  }

  private async commitShadow(): Promise<void> {
    await this.shadow?.store.commit();
    this.committedAt = performance.now();
  }

  private async checkpointOf(db: pg.Pool | pg.ClientBase, schema: string): Promise<Position | null> {
    const { rows } = await db.query<{ position: string | null }>(
      `SELECT position FROM ${schema}.${this.model.checkpointTable} WHERE projection = $1`,
      [this.name],
    );
    const position = rows[0]?.position;
    return position == null ? null : positionFromString(position);
  }

  private lockClient(): pg.PoolClient {
    if (!this.locked) throw new Error(`lock the rebuild of ${this.name} first: its shadow is written under the lock`);
    return this.locked.client;
  }

  private requireShadow(): Shadow {
    if (!this.shadow) throw new Error(`no shadow of ${this.name} is open; call beginShadow first`);
    return this.shadow;
  }
}
