/** Time comes in through this port, so use cases are testable and replays reproducible. */
export interface Clock {
  /** epoch milliseconds */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export const ClockToken = Symbol.for('journey.Clock');
