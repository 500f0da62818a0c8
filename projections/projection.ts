import type { Position, RecordedEvent } from '../application/ports/eventStore/eventStore.ts';
import type { CheckpointResult, ReadModelWriter } from '../application/ports/readModels/readModels.ts';

/**
 * A projection turns the store's events into read-model writes. `apply` runs inside the
 * read-model transaction that also moves the projection's checkpoint, so it must be
 * synchronous and deterministic: rebuilding from the same events gives the same read models.
 */
export interface Projection<Writer = ReadModelWriter> {
  readonly name: string;
  /** bumped when what the projection writes changes; a new version needs a rebuild */
  readonly version: number;
  /** the streams it follows in the global log */
  readonly streamPrefix: string;
  apply(event: RecordedEvent, writer: Writer): void;
}

/**
 * What a runner needs of a store: the checkpoint, and a batch applied with it in one
 * transaction. ReadModelStore and AlertStore both are one, over their own writers.
 */
export interface CheckpointedStore<Writer> {
  readCheckpoint(projection: string): Promise<Position | null>;
  applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: Writer) => void,
  ): Promise<CheckpointResult>;
  /**
   * Optional, for a projection that starts from nothing: a store that applies a long
   * backlog faster in bulk answers true. Until `endBulkLoad` it may keep the writes of
   * several `applyBatch` calls in one open transaction (no other writer gets in meanwhile),
   * so they are durable and seen by other readers only after `commitBulkLoad`;
   * `endBulkLoad` commits what is left and builds the query indexes once.
   */
  beginBulkLoad?(): Promise<boolean>;
  commitBulkLoad?(): Promise<void>;
  endBulkLoad?(): Promise<void>;
}
