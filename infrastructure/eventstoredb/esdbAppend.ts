import {
  ErrorType,
  ANY as ESDB_ANY,
  NO_STREAM as ESDB_NO_STREAM,
  STREAM_EXISTS as ESDB_STREAM_EXISTS,
  type AppendExpectedRevision as EsdbExpectedRevision,
  type EventStoreDBClient,
  isCommandError,
  type JSONType,
  jsonEvent,
  type MetadataType,
} from '@eventstore/db-client';
import {
  ANY,
  type AppendResult,
  type EventData,
  type ExpectedRevision,
  NO_STREAM,
  STREAM_EXISTS,
} from '../../application/ports/eventStore/eventStore.ts';
import { UnavailableError } from '../../domain/errors/journeyError.ts';

/** the port's expected revision in the client's terms (the same four cases) */
export const toEsdbRevision = (expected: ExpectedRevision): EsdbExpectedRevision => {
  if (expected === ANY) return ESDB_ANY;
  if (expected === NO_STREAM) return ESDB_NO_STREAM;
  if (expected === STREAM_EXISTS) return ESDB_STREAM_EXISTS;
  return expected;
};

const isWrongExpectedVersion = (error: unknown): boolean =>
  error instanceof Error && isCommandError(error) && error.type === ErrorType.WRONG_EXPECTED_VERSION;

/**
 * One appendToStream as JSON events; the client's WrongExpectedVersionError comes back as
 * 'conflict', for appendIdempotently to decide again (and throw the port's conflict error).
 */
export const appendToEsdb = async (
  client: EventStoreDBClient,
  streamId: string,
  events: readonly EventData[],
  expected: ExpectedRevision,
): Promise<AppendResult | 'conflict'> => {
  try {
    const result = await client.appendToStream(
      streamId,
      // the client JSON.stringifies data and metadata; its JSONType is narrower than what
      // round-trips (numbers, booleans, null), hence the casts
      events.map((e) =>
        jsonEvent({
          id: e.id,
          type: e.type,
          data: (e.data ?? null) as JSONType,
          metadata: e.metadata as MetadataType | undefined,
        }),
      ),
      { expectedRevision: toEsdbRevision(expected) },
    );
    if (result.position === undefined) {
      throw new UnavailableError(`EventStoreDB appended to ${streamId} but reported no position`);
    }
    return { nextExpectedRevision: result.nextExpectedRevision, position: result.position };
  } catch (error) {
    if (isWrongExpectedVersion(error)) return 'conflict';
    throw error;
  }
};
