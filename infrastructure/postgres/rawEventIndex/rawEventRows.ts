import type {
  IndexedJourneyEvent,
  IndexedRawEvent,
  RawEventFilter,
} from '../../../application/ports/rawEventIndex/rawEventIndex.ts';
import type { RawEventStatus } from '../../../domain/explorer/rawEventStatus.ts';
import type { IngestedEvent, RawEventType } from '../../../domain/raw/rawEvent.ts';
import { withoutNul } from '../readModels/withoutNul.ts';

export const RAW_EVENT_COLUMNS =
  'message_id, received_at, occurred_at, type, event, user_id, anonymous_id, user_key, status, journey_events, reason, payload, version';

/** a row as node-postgres reads it: json parsed, bigint as text */
export type RawEventRow = {
  readonly message_id: string;
  readonly received_at: string;
  readonly occurred_at: string;
  readonly type: string;
  readonly event: string | null;
  readonly user_id: string | null;
  readonly anonymous_id: string | null;
  readonly user_key: string | null;
  readonly status: string;
  readonly journey_events: IndexedJourneyEvent[];
  readonly reason: string | null;
  readonly payload: IngestedEvent;
  readonly version: string;
};

export const indexedRawEventOf = (row: RawEventRow): IndexedRawEvent => ({
  messageId: row.message_id,
  type: row.type as RawEventType,
  ...(row.event === null ? {} : { event: row.event }),
  ...(row.user_id === null ? {} : { userId: row.user_id }),
  ...(row.anonymous_id === null ? {} : { anonymousId: row.anonymous_id }),
  ...(row.user_id === null && row.user_key !== null ? { linkedUserId: row.user_key } : {}),
  timestamp: row.occurred_at,
  receivedAt: row.received_at,
  status: row.status as RawEventStatus,
  journeyEvents: row.journey_events,
  ...(row.reason === null ? {} : { reason: row.reason }),
  raw: row.payload,
});

/**
 * The filter as SQL conditions on parameters numbered from `firstParam`, in one fixed order, and
 * their values, as stored (without NUL), so `userId` uses the user index as in SQLite.
 */
export const rawEventConditions = (
  filter: RawEventFilter,
  firstParam: number,
): { readonly sql: string[]; readonly values: string[] } => {
  const sql: string[] = [];
  const values: string[] = [];
  const add = (column: string, value: string | undefined) => {
    if (value === undefined) return;
    values.push(withoutNul(value));
    sql.push(`${column} = $${firstParam + values.length - 1}`);
  };
  add('user_key', filter.userId);
  add('anonymous_id', filter.anonymousId);
  add('type', filter.type);
  add('event', filter.event);
  add('status', filter.status);
  return { sql, values };
};
