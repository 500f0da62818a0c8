import type pg from 'pg';
import { type Position, samePosition } from '../../../application/ports/eventStore/eventStore.ts';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import type { CheckpointResult, ReadModelWriter } from '../../../application/ports/readModels/readModels.ts';
import { rethrowConnectionLost } from '../connectionLost.ts';
import { commitWrite, openWrite } from '../writeOpening.ts';
import { type Applied, applyWithProfiles } from './applyWithProfiles.ts';
import { BulkGroup } from './bulkGroup.ts';
import { GroupWrites } from './groupWrites.ts';
import { PostgresBatchWriter } from './postgresBatchWriter.ts';
import { dropReadModelIndexes, ensureReadModelIndexes } from './readModelIndexes.ts';
import { type StoredHistories, tableHistoriesIn } from './storedHistories.ts';
import { MIRROR_MAX_USERS, UsersMirror } from './usersMirror.ts';
import { decideBatch, writeDecided } from './writeBatch.ts';

const contentEmptySql = (schema: string): string => `SELECT NOT EXISTS (SELECT 1 FROM ${schema}.timeline)
  AND NOT EXISTS (SELECT 1 FROM ${schema}.users) AND NOT EXISTS (SELECT 1 FROM ${schema}.activity_days) AS empty`;
const usersEmptySql = (schema: string): string => `SELECT NOT EXISTS (SELECT 1 FROM ${schema}.users)
  AND NOT EXISTS (SELECT 1 FROM ${schema}.activity_days) AS empty`;

/**
 * A bulk load into read models that start empty, for one projection (the first to apply from
 * no checkpoint after `begin`; give each runner its own PostgresReadModels, as with SQLite's
 * files). The secondary indexes are dropped and built once at `end`; batches share one
 * transaction holding the checkpoint row until `commit`; a projection filling the users tables
 * from empty keeps a copy of them in memory (usersMirror.ts), so its batches read nothing and
 * their users-table writes are merged until `commit` (groupWrites.ts).
 */
export class PostgresBulkLoad {
  private active = false;
  private owner: string | undefined;
  private group: BulkGroup | undefined;
  private mirror: UsersMirror | undefined;
  private indexesOwed = false;
  private readonly tableHistories: StoredHistories;

  /**
   * `schema`: where the tables are, `journey` or a rebuild's shadow schema; `fence`: checked as
   * a group opens, and held (FOR KEY SHARE) until it commits, so no takeover lands inside one
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string | undefined,
    private readonly schema = 'journey',
    private readonly fence?: LeaseGrant,
  ) {
    this.tableHistories = tableHistoriesIn(schema);
  }

  /** whether this batch joins the load: the owner's, or the first from no checkpoint */
  takes(projection: string, from: Position | null): boolean {
    if (!this.active) return false;
    if (this.owner === undefined && from === null) this.owner = projection;
    return this.owner === projection;
  }

  /** false when another runner on this store loads already, or the tables hold rows */
  async begin(): Promise<boolean> {
    if (this.active) return false;
    const { rows } = await this.pool.query<{ empty: boolean }>(contentEmptySql(this.schema));
    if (!rows[0]?.empty) return false;
    await dropReadModelIndexes(this.pool, this.schema);
    this.active = true;
    this.owner = undefined;
    return true;
  }

  async apply(
    projection: string,
    { from, to }: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): Promise<CheckpointResult> {
    if (this.group === undefined) {
      const started = await this.start(projection, from);
      if (started.kind === 'mismatch') return started;
      this.group = started.group;
    }
    const group = this.group;
    if (!samePosition(group.checkpoint, from)) return { kind: 'mismatch', current: group.checkpoint };
    try {
      const mirror = this.mirror;
      if (mirror === undefined) await group.settle(); // the profiles are read through the client
      const applied: Applied = mirror
        ? { writer: new PostgresBatchWriter(mirror.profiles, true), stored: mirror.profiles }
        : await applyWithProfiles(group.client, apply, this.schema);
      if (mirror) apply(applied.writer);
      await group.timeline.append(applied.writer.timeline);
      if (applied.writer.profiles.size > 0 || applied.writer.days.size > 0) {
        await group.settle();
        const histories = mirror ?? this.tableHistories;
        const decided = await decideBatch(group.client, applied.writer, applied.stored, histories, group.lockWindow);
        // without the copy, the next batch reads the tables: they must hold this one's writes
        if (mirror) group.writes.add(decided);
        else await writeDecided(group.client, decided, this.schema);
      }
      if (mirror && mirror.size > MIRROR_MAX_USERS) {
        // later batches read the tables: write what the group merged so far
        this.mirror = undefined;
        await group.settle();
        await writeDecided(group.client, group.writes, this.schema);
        group.writes = new GroupWrites();
      }
    } catch (error) {
      await this.rollback();
      return rethrowConnectionLost(error, this.url, `bulk loading ${projection}`);
    }
    group.checkpoint = to;
    return { kind: 'stored' };
  }

  /** commits the open group with its checkpoint */
  async commit(): Promise<void> {
    const group = this.group;
    const projection = this.owner;
    if (group === undefined || projection === undefined) return;
    try {
      await group.settle();
      await writeDecided(group.client, group.writes, this.schema);
      const row = { projection, schema: this.schema, table: 'read_model_checkpoints' } as const;
      await commitWrite(group.client, group.checkpoint === null ? undefined : { ...row, to: group.checkpoint });
    } catch (error) {
      await this.rollback();
      return rethrowConnectionLost(error, this.url, `committing the bulk load of ${projection}`);
    }
    this.group = undefined;
    group.client.release();
  }

  /** commits what is left, stops grouping and builds the query indexes */
  async end(): Promise<void> {
    if (!this.active) return;
    try {
      await this.commit();
    } finally {
      // also when the commit failed (the server went away): the runner goes on from the stored
      // checkpoint with single batches, which must not join a group nobody commits
      this.active = false;
      this.owner = undefined;
      this.mirror = undefined;
      this.indexesOwed = true;
    }
    await this.buildOwedIndexes();
  }

  /** builds the query indexes a bulk load dropped, when its end could not (the server was away) */
  async buildOwedIndexes(): Promise<void> {
    if (!this.indexesOwed) return;
    try {
      await ensureReadModelIndexes(this.pool);
    } catch (error) {
      return rethrowConnectionLost(error, this.url, 'building the read-model indexes after a bulk load');
    }
    this.indexesOwed = false;
  }

  /** opens the group: its transaction, the checkpoint row locked, and a copy of empty users tables */
  private async start(
    projection: string,
    from: Position | null,
  ): Promise<{ kind: 'started'; group: BulkGroup } | { kind: 'mismatch'; current: Position | null }> {
    const doing = `bulk loading ${projection}`;
    const client = await this.pool.connect().catch((error: unknown) => rethrowConnectionLost(error, this.url, doing));
    try {
      const current = await openWrite(client, {
        doing,
        readModel: true,
        checkpoint: { projection, schema: this.schema, table: 'read_model_checkpoints' },
        ...(this.fence ? { fence: this.fence } : {}),
      });
      if (!samePosition(current, from)) {
        await client.query('ROLLBACK');
        client.release();
        this.mirror = undefined; // another writer: the copy may be stale
        return { kind: 'mismatch', current };
      }
      if (from === null && this.mirror === undefined) {
        const { rows } = await client.query<{ empty: boolean }>(usersEmptySql(this.schema));
        if (rows[0]?.empty) this.mirror = new UsersMirror();
      }
    } catch (error) {
      client.release(error as Error);
      return rethrowConnectionLost(error, this.url, doing);
    }
    return { kind: 'started', group: new BulkGroup(client, from, this.schema) };
  }

  private async rollback(): Promise<void> {
    const group = this.group;
    this.group = undefined;
    this.mirror = undefined; // it holds what the rolled back batches wrote
    if (group === undefined) return;
    await group.timeline.abandon();
    let broken: Error | undefined;
    await group.client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    group.client.release(broken);
  }
}
