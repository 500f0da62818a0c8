import type { TimelineEntry, UserProfile } from '../../../application/ports/readModels/readModels.ts';

/** the users columns in the order `UserRow` and the writes use */
export const USER_COLUMNS =
  'user_id, email, name, signed_up_at, first_seen_at, last_seen_at, last_activity_at, event_count, last_event_type';
export const TIMELINE_COLUMNS =
  'user_id, occurred_at, event_id, type, data, rule_id, source_message_ids, position_commit, position_prepare';

/** node-postgres reads timestamptz as a Date; the ports speak `toISOString` text */
export type TimelineRow = {
  readonly user_id: string;
  readonly occurred_at: Date;
  readonly event_id: string;
  readonly type: string;
  readonly data: unknown;
  readonly rule_id: string;
  readonly source_message_ids: string[];
  /** bigint, which node-postgres reads as text */
  readonly position_commit: string | null;
  readonly position_prepare: string | null;
};

export type UserRow = {
  readonly user_id: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly signed_up_at: Date | null;
  readonly first_seen_at: Date;
  readonly last_seen_at: Date;
  readonly last_activity_at: Date | null;
  readonly event_count: number;
  readonly last_event_type: string;
};

export const isoOf = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export const toTimelineEntry = (row: TimelineRow): TimelineEntry => ({
  userId: row.user_id,
  eventId: row.event_id,
  type: row.type,
  occurredAt: isoOf(row.occurred_at),
  data: row.data,
  ruleId: row.rule_id,
  sourceMessageIds: row.source_message_ids,
  ...(row.position_commit === null || row.position_prepare === null
    ? {}
    : { position: { commit: BigInt(row.position_commit), prepare: BigInt(row.position_prepare) } }),
});

export const toUserProfile = (row: UserRow): UserProfile => ({
  userId: row.user_id,
  ...(row.email === null ? {} : { email: row.email }),
  ...(row.name === null ? {} : { name: row.name }),
  ...(row.signed_up_at === null ? {} : { signedUpAt: isoOf(row.signed_up_at) }),
  firstSeenAt: isoOf(row.first_seen_at),
  lastSeenAt: isoOf(row.last_seen_at),
  ...(row.last_activity_at === null ? {} : { lastActivityAt: isoOf(row.last_activity_at) }),
  eventCount: row.event_count,
  lastEventType: row.last_event_type,
});
