import type { AlertWriter } from '../../../application/ports/alertStore/alertStore.ts';
import { applyPrefetched as applyRecorded } from '../prefetchedApply.ts';
import {
  type AlertChanges,
  type AlertSnapshot,
  type AlertWants,
  emptySnapshot,
  RecordingAlertWriter,
} from './recordingAlertWriter.ts';

/** Reads what `wants` names into the snapshot, recording absent rows as absent. */
export type AlertStateLoader = (wants: AlertWants, into: AlertSnapshot) => Promise<void>;

/**
 * The port's reads are synchronous, a query is not: the alert writer over prefetched state
 * (see prefetchedApply.ts). Hazard: `apply` may run several times, so it must act only
 * through the writer.
 */
export const applyPrefetched = <T>(
  apply: (writer: AlertWriter) => T,
  load: AlertStateLoader,
  raiseNothing = false,
): Promise<{ readonly result: T; readonly changes: AlertChanges }> => {
  const snapshot = emptySnapshot();
  return applyRecorded<RecordingAlertWriter, AlertChanges, T>(
    apply,
    () => new RecordingAlertWriter(snapshot, raiseNothing),
    (writer) => load(writer.wants, snapshot),
    'an alert transaction',
  );
};
