import type { AlertWriter } from '../../../application/ports/alertStore/alertStore.ts';
import {
  type AlertChanges,
  type AlertSnapshot,
  type AlertWants,
  emptySnapshot,
  RecordingAlertWriter,
} from './recordingAlertWriter.ts';

/** Reads what `wants` names into the snapshot, recording absent rows as absent. */
export type AlertStateLoader = (wants: AlertWants, into: AlertSnapshot) => Promise<void>;

const MAX_ROUNDS = 50;

/**
 * The port's reads are synchronous, a query is not: run `apply` against a writer answering
 * from what is loaded, load in bulk what it asked for, and run it again until it asks for
 * nothing new. The last run's writes and result are the transaction's.
 *
 * Hazard: `apply` may run several times, so it must act only through the writer.
 */
export const applyPrefetched = async <T>(
  apply: (writer: AlertWriter) => T,
  load: AlertStateLoader,
  raiseNothing = false,
): Promise<{ readonly result: T; readonly changes: AlertChanges }> => {
  const snapshot = emptySnapshot();
  for (let round = 1; ; round++) {
    const writer = new RecordingAlertWriter(snapshot, raiseNothing);
    let outcome: { readonly result: T } | { readonly error: unknown };
    try {
      outcome = { result: apply(writer) };
    } catch (error) {
      outcome = { error }; // perhaps only because of a guessed answer: load and run again first
    }
    if (!writer.asksForMore()) {
      if ('error' in outcome) throw outcome.error;
      return { result: outcome.result, changes: writer.changes() };
    }
    if (round === MAX_ROUNDS)
      throw new Error(
        `an alert transaction still asked for new state after ${MAX_ROUNDS} reads; its apply must ask for the same rows when given the same answers (no clock or random reads deciding what to read)`,
      );
    await load(writer.wants, snapshot);
  }
};
