import type { ReadModelWriter, TimelineEntry, UserProfile } from '../../application/readModels.ts';
import { canonicalInstant, utcDayOf } from '../embedded/instants.ts';
import { type ReadModelStatements, toUserProfile, toUserRow } from './readModelTables.ts';

type ActiveDay = { readonly userId: string; readonly day: string; first: string; last: string };

/**
 * The writer of one `applyBatch` transaction. A projection reads and rewrites a user's
 * profile for every event, and most batches hold several events per user: profiles and
 * activity days are therefore kept in memory for the batch and written once each by
 * `flush`, inside the same transaction. The writer dies with its transaction, so a rolled
 * back batch leaves no cached state behind.
 */
export class SqliteBatchWriter implements ReadModelWriter {
  /** null: looked up and absent */
  private readonly profiles = new Map<string, UserProfile | null>();
  private readonly dirty = new Set<string>();
  private readonly days = new Map<string, ActiveDay>();

  constructor(private readonly stmts: ReadModelStatements) {}

  addTimelineEntry(entry: TimelineEntry): void {
    this.stmts.insertTimeline.run(
      entry.userId,
      canonicalInstant(entry.occurredAt, 'timeline occurredAt'),
      entry.eventId,
      entry.type,
      JSON.stringify(entry.data) ?? 'null',
      entry.ruleId,
      JSON.stringify(entry.sourceMessageIds),
    );
  }

  getProfile(userId: string): UserProfile | undefined {
    let profile = this.profiles.get(userId);
    if (profile === undefined) {
      const row = this.stmts.user.get(userId);
      profile = row === undefined ? null : toUserProfile(row);
      this.profiles.set(userId, profile);
    }
    return profile ?? undefined;
  }

  putProfile(profile: UserProfile): void {
    const signedUpAt = profile.signedUpAt;
    const stored =
      signedUpAt === undefined
        ? profile
        : { ...profile, signedUpAt: canonicalInstant(signedUpAt, 'profile.signedUpAt') };
    this.profiles.set(profile.userId, stored);
    this.dirty.add(profile.userId);
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

  /** writes what the batch kept in memory; call once, inside the transaction, after `apply` */
  flush(): void {
    for (const userId of this.dirty) {
      const profile = this.profiles.get(userId);
      if (profile) this.stmts.putUser.run(toUserRow(profile));
    }
    for (const d of this.days.values()) this.stmts.addActivity.run(d.userId, d.day, d.first, d.last);
  }
}
