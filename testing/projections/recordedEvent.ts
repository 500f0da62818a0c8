import type { RecordedEvent } from '../../application/ports/eventStore/eventStore.ts';

let position = 0n;

/** a journey event of `userId` as the store recorded it, each at the next global position */
export const recorded = (
  userId: string,
  type: string,
  occurredAt: string,
  data: Record<string, unknown> = {},
): RecordedEvent => {
  position++;
  return {
    id: `e-${position}`,
    type,
    data,
    metadata: { occurredAt, sourceMessageIds: [`m-${position}`], ruleId: 'test' },
    streamId: `journey-${userId}`,
    revision: 0n,
    position: { commit: position, prepare: position },
    recordedAt: occurredAt,
  };
};
