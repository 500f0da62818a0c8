import type pg from 'pg';
import { type Position, samePosition } from '../../../application/ports/eventStore/eventStore.ts';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import type { CheckpointResult, ReadModelWriter } from '../../../application/ports/readModels/readModels.ts';
import { rethrowConnectionLost } from '../connectionLost.ts';
import { commitWrite, openWrite } from '../writeOpening.ts';
import { applyWithProfiles } from './applyWithProfiles.ts';
import { readCheckpoint } from './checkpointRow.ts';
import { insertTimeline } from './insertTimeline.ts';
import { PostgresBulkLoad } from './postgresBulkLoad.ts';
import { type StoredHistories, tableHistoriesIn } from './storedHistories.ts';
import { decideBatch, lockStageWindow, writeDecided } from './writeBatch.ts';

/**
 * The projection side of the PostgreSQL read models: each batch and its checkpoint in one
 * transaction, or, during a bulk load, in its projection's open one (postgresBulkLoad.ts).
 */
export class PostgresReadModelStore {
  private readonly bulk: PostgresBulkLoad;
  private readonly tableHistories: StoredHistories;

  /**
   * `schema`: where the tables are, `journey` or a rebuild's shadow schema; `fence`: the
   * projection's lease, checked first in each batch's (and bulk group's) transaction
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly url: string | undefined,
    private readonly schema = 'journey',
    private readonly fence?: LeaseGrant,
  ) {
    this.bulk = new PostgresBulkLoad(pool, url, schema, fence);
    this.tableHistories = tableHistoriesIn(schema);
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    try {
      return await readCheckpoint(this.pool, projection, this.schema);
    } catch (error) {
      return rethrowConnectionLost(error, this.url, `reading the checkpoint of ${projection}`);
    }
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): Promise<CheckpointResult> {
    if (this.bulk.takes(projection, checkpoint.from)) return this.bulk.apply(projection, checkpoint, apply);
    await this.bulk.buildOwedIndexes();
    const doing = `applying a batch of ${projection}`;
    const client = await this.pool.connect().catch((error: unknown) => rethrowConnectionLost(error, this.url, doing));
    let broken: Error | undefined;
    try {
      const row = { projection, schema: this.schema, table: 'read_model_checkpoints' } as const;
      const current = await openWrite(client, {
        doing,
        readModel: true,
        checkpoint: row,
        ...(this.fence ? { fence: this.fence } : {}),
      });
      if (!samePosition(current, checkpoint.from)) {
        await client.query('ROLLBACK');
        return { kind: 'mismatch', current };
      }
      // the profiles apply asks for are fetched after the lock, so they are the latest
      const applied = await applyWithProfiles(client, apply, this.schema);
      await insertTimeline(client, applied.writer.timeline, this.schema);
      const lockWindow = () => lockStageWindow(client, this.schema);
      const decided = await decideBatch(client, applied.writer, applied.stored, this.tableHistories, lockWindow);
      await writeDecided(client, decided, this.schema);
      await commitWrite(client, { ...row, to: checkpoint.to });
      return { kind: 'stored' };
    } catch (error) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      return rethrowConnectionLost(error, this.url, doing);
    } finally {
      client.release(broken);
    }
  }

  beginBulkLoad(): Promise<boolean> {
    return this.bulk.begin();
  }
  commitBulkLoad(): Promise<void> {
    return this.bulk.commit();
  }
  endBulkLoad(): Promise<void> {
    return this.bulk.end();
  }
  /** what a bulk load applied is a consistent prefix of the log, with its checkpoint */
  close(): Promise<void> {
    return this.bulk.commit();
  }
}
