import type { Session } from './session.ts';

const compare = (at: number, messageId: string, otherAt: number, otherMessageId: string): number =>
  at - otherAt || (messageId < otherMessageId ? -1 : messageId > otherMessageId ? 1 : 0);

/**
 * The session an event of the user happened in, by its time and raw messageId: sessions cut
 * the (time, messageId) order into runs, so one binary search over their first events finds
 * it. `sessions` are the user's, oldest first; undefined when the event lies in none.
 */
export const sessionOfEvent = (
  sessions: readonly Session[],
  occurredAt: string,
  messageId: string,
): Session | undefined => {
  const at = Date.parse(occurredAt);
  let low = 0;
  let high = sessions.length - 1;
  let found: Session | undefined;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const session = sessions[middle] as Session;
    if (compare(at, messageId, Date.parse(session.startedAt), session.firstMessageId) >= 0) {
      found = session;
      low = middle + 1;
    } else high = middle - 1;
  }
  if (found === undefined) return undefined;
  return compare(at, messageId, Date.parse(found.endedAt), found.lastMessageId) <= 0 ? found : undefined;
};
