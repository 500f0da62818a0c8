import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { DeadLetter } from '../../application/rawLog.ts';
import { deadLetterSubject, type RawStreamNames } from './rawStreams.ts';

type StoredDeadLetter = Omit<DeadLetter, 'id'>;

/** without a limit, listRejected reads at most this many: one request per message */
const DEFAULT_LIST_LIMIT = 1_000;

/**
 * Dead letters live in their own stream (RAW_REJECTED), one JSON message each, so that they
 * outlive the raw stream's retention and can be read with any NATS tool. The id is the
 * stream sequence.
 */
export const writeDeadLetters = async (
  js: JetStreamClient,
  names: RawStreamNames,
  items: readonly Omit<DeadLetter, 'id' | 'at'>[],
  timeoutMs: number,
): Promise<void> => {
  const at = new Date().toISOString();
  const subject = deadLetterSubject(names);
  // one connection keeps these in order, so the stream order is the order of `items`
  await Promise.all(
    items.map((item) => {
      const stored: StoredDeadLetter = {
        at,
        stage: item.stage,
        reason: item.reason,
        payload: item.payload ?? null,
      };
      return js.publish(subject, JSON.stringify(stored), { timeout: timeoutMs });
    }),
  );
};

export const listDeadLetters = async (
  jsm: JetStreamManager,
  names: RawStreamNames,
  limit = DEFAULT_LIST_LIMIT,
): Promise<DeadLetter[]> => {
  const { state } = await jsm.streams.info(names.deadLetterStream);
  const listed: DeadLetter[] = [];
  for (let seq = state.last_seq; seq >= state.first_seq && seq > 0 && listed.length < limit; seq--) {
    // null: deleted or aged out, a gap to step over
    const message = await jsm.streams.getMessage(names.deadLetterStream, { seq });
    if (!message) continue;
    const stored = message.json<StoredDeadLetter>();
    listed.push({
      id: String(seq),
      at: stored.at,
      stage: stored.stage,
      reason: stored.reason,
      payload: stored.payload,
    });
  }
  return listed;
};
