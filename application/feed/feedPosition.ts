import type { Position } from '../ports/eventStore/eventStore.ts';

/**
 * A feed message's id is the event's global position: one number where both halves agree
 * (SQLite, memory), `commit/prepare` on EventStoreDB. Either form is read back.
 */
export const feedIdOf = (position: Position): string =>
  position.commit === position.prepare ? `${position.commit}` : `${position.commit}/${position.prepare}`;

const FEED_ID = /^(\d{1,19})(?:\/(\d{1,19}))?$/;

/** the position a feed id names, or undefined when it is not one */
export const positionOfFeedId = (id: string): Position | undefined => {
  const match = FEED_ID.exec(id.trim());
  if (!match?.[1]) return undefined;
  const commit = BigInt(match[1]);
  return { commit, prepare: match[2] === undefined ? commit : BigInt(match[2]) };
};
