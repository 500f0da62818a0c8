import { expect } from 'vitest';
import type { RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';
import type { ReadModelWriter } from '../../application/ports/readModels/readModels.ts';
import type { CheckpointedStore, Projection } from '../../projections/projection.ts';
import { MemoryReadModels } from '../memory/memoryReadModels.ts';

/** what a spec runs its inputs through: a projection and the store it writes into, or a pure fold */
export type ProjectionUnderTest<Input, Result> = (inputs: readonly Input[]) => Result | Promise<Result>;

/**
 * Projection specs as given / when / then: `given(...inputs).when(projection).then(expected)`.
 * `then` compares what the projection wrote with `expected` (toEqual), or hands it to a check.
 */
export const given = <Input>(...inputs: Input[]) => ({
  when: <Result>(projection: ProjectionUnderTest<Input, Result>) => ({
    // biome-ignore lint/suspicious/noThenProperty: the last step of a spec, not a promise; `when` returns synchronously
    then: async (expected: Result | ((written: Result) => unknown)): Promise<Result> => {
      const written = await projection(inputs);
      if (typeof expected === 'function') await (expected as (written: Result) => unknown)(written);
      else expect(written).toEqual(expected);
      return written;
    },
  }),
});

/** an event projection applying the given events as one batch, as the runner does; its writes are the store */
export function applying(projection: Projection<ReadModelWriter>): ProjectionUnderTest<RecordedEvent, MemoryReadModels>;
export function applying<Writer, Store extends CheckpointedStore<Writer>>(
  projection: Projection<Writer>,
  store: Store,
): ProjectionUnderTest<RecordedEvent, Store>;
export function applying<Writer>(
  projection: Projection<Writer>,
  store: CheckpointedStore<Writer> = new MemoryReadModels() as unknown as CheckpointedStore<Writer>,
): ProjectionUnderTest<RecordedEvent, CheckpointedStore<Writer>> {
  return async (events) => {
    const last = events[events.length - 1];
    if (last) {
      const from = await store.readCheckpoint(projection.name);
      const result = await store.applyBatch(projection.name, { from, to: last.position }, (writer) => {
        for (const event of events) projection.apply(event, writer);
      });
      expect(result).toEqual({ kind: 'stored' });
    }
    return store;
  };
}

/** a projection that folds each input into one value (the stage changes into deltas); its writes are that value */
export const folding =
  <Input, Into>(
    projection: { apply(into: Into, input: Input): void },
    start: () => Into,
  ): ProjectionUnderTest<Input, Into> =>
  (inputs) => {
    const into = start();
    for (const input of inputs) projection.apply(into, input);
    return into;
  };
