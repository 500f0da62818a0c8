import { UnavailableError } from '../../domain/errors/journeyError.ts';

/** How long a query waits for a projection that is behind another: `pauses` calls of `pause`. */
export type Patience = {
  readonly pauses: number;
  readonly pause: () => Promise<void>;
  /** what the refusal tells the client to wait before asking again */
  readonly retryAfterSeconds: number;
};

const PAUSE_MS = 25;

/**
 * About 1.5 s: a projection behind another by one batch catches up in milliseconds, one
 * starting from nothing takes longer, and then a prompt 503 serves the client better.
 * Polling works wherever the projector runs (a thread, another process, another host).
 */
export const DEFAULT_PATIENCE: Patience = {
  pauses: 60,
  pause: () => new Promise((resolve) => setTimeout(resolve, PAUSE_MS)),
  retryAfterSeconds: 1,
};

/**
 * Calls `read` until it answers (anything but undefined), pausing between tries; after
 * `patience.pauses` pauses it gives up with an UnavailableError whose message is `behind()`.
 */
export const untilCaughtUp = async <T>(
  read: () => Promise<T | undefined>,
  patience: Patience,
  behind: () => string,
): Promise<T> => {
  for (let paused = 0; ; paused++) {
    const answer = await read();
    if (answer !== undefined) return answer;
    if (paused === patience.pauses) {
      throw new UnavailableError(behind(), { retryAfterSeconds: patience.retryAfterSeconds });
    }
    await patience.pause();
  }
};
