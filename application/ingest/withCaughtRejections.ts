import type { DeadLetter, RawLog } from '../ports/rawLog/rawLog.ts';

export type CaughtRejection = Omit<DeadLetter, 'id' | 'at'>;

/**
 * The raw log as it is, except that `reject` keeps the items here instead of writing them:
 * a replay that is refused again must not add a second dead letter for the one it replays.
 */
export const withCaughtRejections = (rawLog: RawLog): { rawLog: RawLog; caught: CaughtRejection[] } => {
  const caught: CaughtRejection[] = [];
  const wrapped: RawLog = {
    publish: (events) => rawLog.publish(events),
    consume: (options, handler) => rawLog.consume(options, handler),
    reject: async (items) => {
      caught.push(...items);
    },
    listRejected: (options) => rawLog.listRejected(options),
    pending: (group) => rawLog.pending(group),
    close: () => rawLog.close(),
  };
  return { rawLog: wrapped, caught };
};
