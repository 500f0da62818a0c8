import type { ReadModelWriter, TimelineEntry, UserProfile } from '../../../application/ports/readModels/readModels.ts';
import { canonicalInstant, utcDayOf } from '../../polling/instants.ts';
import { jsonWithoutNul, withoutNul } from './withoutNul.ts';

export type ActiveDay = { readonly userId: string; readonly day: string; first: string; last: string };

/** timeline entries as the columns of an unnest or a COPY: data and message ids already JSON */
export type TimelineColumns = {
  readonly userIds: string[];
  readonly occurredAts: string[];
  readonly eventIds: string[];
  readonly types: string[];
  readonly data: string[];
  readonly ruleIds: string[];
  readonly sourceMessageIds: string[];
  /** the event's position in the global log as decimal text; null: not given */
  readonly positionCommits: (string | null)[];
  readonly positionPrepares: (string | null)[];
};

/**
 * One pass of a projection's `apply` over a batch, kept in memory: `getProfile` is synchronous,
 * so it answers from the profiles loaded before the pass and records the ids it did not have
 * (`missing`); applyWithProfiles.ts loads those and runs the pass again.
 */
export class PostgresBatchWriter implements ReadModelWriter {
  readonly timeline: TimelineColumns = {
    userIds: [],
    occurredAts: [],
    eventIds: [],
    types: [],
    data: [],
    ruleIds: [],
    sourceMessageIds: [],
    positionCommits: [],
    positionPrepares: [],
  };
  /** the batch's profiles, the last put of each user winning */
  readonly profiles = new Map<string, UserProfile>();
  /** per user and UTC day, the first and last activity the batch added */
  readonly days = new Map<string, ActiveDay>();
  readonly missing = new Set<string>();
  private readonly eventIds = new Set<string>();

  constructor(
    /** profiles as stored before the batch; null: looked up and absent */
    private readonly stored: ReadonlyMap<string, UserProfile | null>,
    /** `stored` holds every user there is (a bulk load's copy): one not in it has no profile */
    private readonly complete = false,
  ) {}

  addTimelineEntry(entry: TimelineEntry): void {
    // the first of an eventId wins, as the table's ON CONFLICT DO NOTHING does across batches
    if (this.eventIds.has(entry.eventId)) return;
    this.eventIds.add(entry.eventId);
    // serialized now, as SQLite does: what the projection changes after the call is not stored
    const t = this.timeline;
    t.userIds.push(withoutNul(entry.userId));
    t.occurredAts.push(canonicalInstant(entry.occurredAt, 'timeline occurredAt'));
    t.eventIds.push(withoutNul(entry.eventId));
    t.types.push(withoutNul(entry.type));
    t.data.push(jsonWithoutNul(JSON.stringify(entry.data) ?? 'null'));
    t.ruleIds.push(withoutNul(entry.ruleId));
    t.sourceMessageIds.push(jsonWithoutNul(JSON.stringify(entry.sourceMessageIds)));
    t.positionCommits.push(entry.position === undefined ? null : String(entry.position.commit));
    t.positionPrepares.push(entry.position === undefined ? null : String(entry.position.prepare));
  }

  getProfile(userId: string): UserProfile | undefined {
    const put = this.profiles.get(userId);
    if (put !== undefined) return put;
    const stored = this.stored.get(userId);
    if (stored === undefined && !this.complete) this.missing.add(userId);
    return stored ?? undefined;
  }

  putProfile(profile: UserProfile): void {
    const signedUpAt = profile.signedUpAt;
    const canonical = signedUpAt === undefined ? undefined : canonicalInstant(signedUpAt, 'profile.signedUpAt');
    this.profiles.set(profile.userId, canonical === signedUpAt ? profile : { ...profile, signedUpAt: canonical });
  }

  addActivity(userId: string, at: string): void {
    const instant = canonicalInstant(at, 'activity time');
    const day = utcDayOf(instant);
    const key = `${userId}\u0000${day}`;
    const known = this.days.get(key);
    if (known === undefined) this.days.set(key, { userId, day, first: instant, last: instant });
    else {
      if (instant < known.first) known.first = instant;
      if (instant > known.last) known.last = instant;
    }
  }
}
