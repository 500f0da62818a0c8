import { Metadata, type status } from '@grpc/grpc-js';
import type { sharedPb } from '../../../infrastructure/eventstoredb/esdbGenerated.ts';
import type { AppendOutcome, EmulatedExpectation, EmulatorStore, ProposedEvent } from './emulatorStore.ts';

/**
 * What Streams.Append and Streams.BatchAppend share: reading proposed events off the wire
 * and the one decision (revision, conflict, idempotency) on the emulator's store. The two
 * handlers only differ in how requests arrive and how the outcome is put in a reply.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** what AppendReq.ProposedMessage and BatchAppendReq.ProposedMessage have in common */
export type ProposedMessage = {
  getId(): InstanceType<typeof sharedPb.UUID> | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
};

/** a gRPC error carrying ESDB's `exception` trailer, which the client maps to its error classes */
export const esdbError = (code: status, exception: string, details: string) => {
  const metadata = new Metadata();
  metadata.set('exception', exception);
  return { code, details, metadata };
};

/** ProposedMessage → stored form, or the reason ESDB would refuse it */
const proposedOf = (message: ProposedMessage): ProposedEvent | string => {
  const uuid = message.getId();
  const id = uuid?.hasString() ? uuid.getString().toLowerCase() : undefined;
  if (id === undefined || !UUID.test(id)) return `event id ${id ?? '(none)'} is not a UUID`;
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  if (!type || !contentType) return `event ${id} lacks the required metadata type and content-type`;
  return {
    id,
    type,
    contentType,
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
};

/** the proposed events of one append as they arrive (in one or many requests) */
export class ReceivedEvents {
  readonly proposed: ProposedEvent[] = [];
  /** the first reason ESDB would refuse the append, if any */
  refused: string | undefined;

  add(messages: readonly ProposedMessage[]): void {
    for (const message of messages) {
      const event = proposedOf(message);
      if (typeof event === 'string') this.refused ??= event;
      else this.proposed.push(event);
    }
  }
}

export type EmulatedAppendOutcome = AppendOutcome | { readonly kind: 'refused'; readonly reason: string };

/**
 * The append itself, for both handlers: refused as a whole when any event is malformed,
 * otherwise applied at once by the store (atomic, with ESDB-style idempotency on ids).
 */
export const emulatedAppend = (
  store: EmulatorStore,
  streamName: Uint8Array,
  expected: EmulatedExpectation,
  received: ReceivedEvents,
): EmulatedAppendOutcome => {
  if (received.refused !== undefined) return { kind: 'refused', reason: received.refused };
  const streamId = Buffer.from(streamName).toString('utf8');
  return store.append(streamId, expected, received.proposed);
};
