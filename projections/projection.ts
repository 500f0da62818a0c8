import type { RecordedEvent } from '../application/eventStore.ts';
import type { ReadModelWriter } from '../application/readModels.ts';

/**
 * A projection turns the store's events into read-model writes. `apply` runs inside the
 * read-model transaction that also moves the projection's checkpoint, so it must be
 * synchronous and deterministic: rebuilding from the same events gives the same read models.
 */
export interface Projection {
  readonly name: string;
  /** bumped when what the projection writes changes; a new version needs a rebuild */
  readonly version: number;
  /** the streams it follows in the global log */
  readonly streamPrefix: string;
  apply(event: RecordedEvent, writer: ReadModelWriter): void;
}
