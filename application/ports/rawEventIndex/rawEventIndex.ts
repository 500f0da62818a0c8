import type { MappedStatus, RawEventStatus } from '../../../domain/explorer/rawEventStatus.ts';
import type { IdentityLink } from '../../../domain/identity/identityLinkOf.ts';
import type { IngestedEvent, RawEventType } from '../../../domain/raw/rawEvent.ts';

export type IndexedJourneyEvent = { readonly id: string; readonly type: string; readonly rule: string };

/** One raw event as the explorer shows it, with what the mapper made of it. */
export type IndexedRawEvent = {
  readonly messageId: string;
  readonly type: RawEventType;
  /** a track call's event name */
  readonly event?: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  /** the user an anonymous event belongs to through identify or alias, once the link is known */
  readonly linkedUserId?: string;
  readonly timestamp: string;
  readonly receivedAt: string;
  readonly status: RawEventStatus;
  readonly journeyEvents: readonly IndexedJourneyEvent[];
  readonly reason?: string;
  /** the raw event as stored */
  readonly raw: IngestedEvent;
};

/** What the mapper made of one raw event; `userId` is who it mapped it to (after identity resolution). */
export type RawEventOutcome = {
  readonly event: IngestedEvent;
  readonly status: MappedStatus;
  readonly journeyEvents: readonly IndexedJourneyEvent[];
  readonly reason?: string;
  readonly userId?: string;
};

/** One write: all of it in one transaction, links first, then outcomes, then stored events. */
export type RawEventBatch = {
  /** stored in the raw log: indexed as pending unless the event has an outcome already */
  readonly stored?: readonly IngestedEvent[];
  readonly outcomes?: readonly RawEventOutcome[];
  /** anonymous ids now known to be a user: their events are then found by that user's id */
  readonly links?: readonly IdentityLink[];
};

/** Every field is an equality filter; `userId` also matches anonymous events linked to that user. */
export type RawEventFilter = {
  readonly userId?: string;
  readonly anonymousId?: string;
  readonly type?: RawEventType;
  readonly event?: string;
  readonly status?: RawEventStatus;
};

/** a place in the newest-first order: receivedAt, then messageId */
export type RawEventCursor = { readonly receivedAt: string; readonly messageId: string };

export type RawEventPage = { readonly events: readonly IndexedRawEvent[]; readonly next?: RawEventCursor };

/** a change: `version` grows with every write of a row, so a follower resumes after the last it saw */
export type RawEventChange = IndexedRawEvent & { readonly version: number };

/**
 * The raw-event index, a read model: what each raw event became. Writers are the raw log's
 * `explorer` consumer group or the SQLite index's own copy of the embedded log (stored) and the
 * mapper (outcomes, links), batched; readers are the API.
 * An outcome is never overwritten by `pending`, whatever order the two arrive in.
 */
export interface RawEventIndex {
  record(batch: RawEventBatch): Promise<void>;
  /** newest first (receivedAt, then messageId), strictly after `before` in that order */
  query(
    filter: RawEventFilter,
    page: { readonly before?: RawEventCursor; readonly limit: number },
  ): Promise<RawEventPage>;
  /** the version of the latest write; 0 when nothing was written */
  headVersion(): Promise<number>;
  /**
   * rows written after `afterVersion` that match, oldest change first, at most `limit`;
   * `version` is where to continue from (past rows that did not match)
   */
  changesSince(
    afterVersion: number,
    filter: RawEventFilter,
    limit: number,
  ): Promise<{ readonly changes: readonly RawEventChange[]; readonly version: number }>;
  /**
   * Optional news of writes, in this process and (PostgreSQL) others, so a follower need not wait
   * out its poll; an adapter without it is polled. Returns the unsubscribe.
   */
  onChange?(listener: () => void): () => void;
  /** removes at most `limit` events received before `receivedBefore` (ISO); how many it removed */
  prune(receivedBefore: string, limit: number): Promise<number>;
  close(): Promise<void>;
}

export const RawEventIndexToken = Symbol.for('journey.RawEventIndex');
