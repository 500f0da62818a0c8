import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { onStorageFailure } from '../../infrastructure/sqlite/storageFailureListeners.ts';

/** EX_IOERR (sysexits.h): what a supervisor sees when the storage refused a write */
export const STORAGE_FAILURE_EXIT_CODE = 74;
/** a stop that hangs (a worker on a dead disk) must not keep the process up */
const STOP_TIMEOUT_MS = 15_000;

/**
 * A write the storage refused (disk full, read-only, I/O error) stops the process: one message saying
 * which file and what to do, then the apps stop in order (HTTP first: nothing gets a 200 that was not
 * stored) and it exits 74. Retrying would only fill the logs.
 */
export const stopOnStorageFailure = (stop: () => Promise<void>, logger: JourneyLogger): void => {
  let stopping = false;
  onStorageFailure((failure) => {
    if (stopping) return;
    stopping = true;
    logger.fatal(
      { file: failure.file, code: failure.code },
      `journey is stopping: ${failure.message}. Everything answered 200 is stored and is mapped after the restart`,
    );
    // not inside the failed write's call stack: its callers answer 503 first
    setImmediate(async () => {
      setTimeout(() => process.exit(STORAGE_FAILURE_EXIT_CODE), STOP_TIMEOUT_MS);
      try {
        await stop();
      } catch (error) {
        logger.error({ err: error }, 'stopping after the storage failure did not finish cleanly');
      }
      process.exit(STORAGE_FAILURE_EXIT_CODE);
    });
  });
};
