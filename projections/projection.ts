import type { Position, RecordedEvent } from '../application/eventStore.ts';
import type { CheckpointResult, ReadModelWriter } from '../application/readModels.ts';

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
   * backlog faster without its query indexes drops them and answers true;
   * `endBulkLoad` builds them again once the projection has caught up.
   */
  beginBulkLoad?(): Promise<boolean>;
  endBulkLoad?(): Promise<void>;
}
