import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { DeadLetter } from '../../application/ports/rawLog/rawLog.ts';
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
    listed.push(deadLetterOf(seq, message.json<StoredDeadLetter>()));
  }
  return listed;
};

const deadLetterOf = (seq: number, stored: StoredDeadLetter): DeadLetter => ({
  id: String(seq),
  at: stored.at,
  stage: stored.stage,
  reason: stored.reason,
  payload: stored.payload,
});

/** the stream sequence an id names, or undefined when it is not one */
const sequenceOf = (id: string): number | undefined => (/^[1-9]\d{0,15}$/.test(id) ? Number(id) : undefined);

/** JetStream answers a missing sequence with an error (10037, "no message found") on some calls */
const isMissing = (error: unknown): boolean => /no message found|not found|10037/i.test(String(error));

export const getDeadLetter = async (
  jsm: JetStreamManager,
  names: RawStreamNames,
  id: string,
): Promise<DeadLetter | undefined> => {
  const seq = sequenceOf(id);
  if (seq === undefined) return undefined;
  try {
    const message = await jsm.streams.getMessage(names.deadLetterStream, { seq });
    return message ? deadLetterOf(seq, message.json<StoredDeadLetter>()) : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
};

/** Deletes the message: stream sequences are never reused, so neither is the id. */
export const removeDeadLetter = async (jsm: JetStreamManager, names: RawStreamNames, id: string): Promise<boolean> => {
  const seq = sequenceOf(id);
  if (seq === undefined) return false;
  try {
    return await jsm.streams.deleteMessage(names.deadLetterStream, seq, false);
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
};
