import type { ReadModelWriter, TimelineEntry, UserProfile } from '../../../application/ports/readModels/readModels.ts';
import { type StageDeltas, stageChangesProjection } from '../../../projections/stageChanges/stageChangesProjection.ts';
import { canonicalInstant, utcDayOf } from '../../polling/instants.ts';
import { type ReadModelStatements, toUserProfile, userValuesOf } from './readModelTables.ts';
import type { ActivityDayRow, UsersMirror } from './usersMirror.ts';

type ActiveDay = { readonly userId: string; readonly day: string; first: string; last: string };

/**
 * One `applyBatch` transaction's writer: profiles and days are kept for the batch and written
 * once each by `flush`, which hands each user whose history changed to the stage-change
 * projection and stores its deltas. With a `UsersMirror`, stored rows are read from memory.
 */
export class SqliteBatchWriter implements ReadModelWriter {
  /** null: looked up and absent */
  private readonly profiles = new Map<string, UserProfile | null>();
  private readonly dirty = new Set<string>();
  private readonly days = new Map<string, ActiveDay>();
  /** each user's profile as stored before this batch; null: none */
  private readonly before = new Map<string, UserProfile | null>();

  constructor(
    private readonly stmts: ReadModelStatements,
    private readonly mirror?: UsersMirror,
  ) {}

  addTimelineEntry(entry: TimelineEntry): void {
    this.stmts.insertTimeline.run(
      entry.userId,
      canonicalInstant(entry.occurredAt, 'timeline occurredAt'),
      entry.eventId,
      entry.type,
      JSON.stringify(entry.data) ?? 'null',
      entry.ruleId,
      JSON.stringify(entry.sourceMessageIds),
      entry.position?.commit ?? null,
      entry.position?.prepare ?? null,
    );
  }

  getProfile(userId: string): UserProfile | undefined {
    let profile = this.profiles.get(userId);
    if (profile === undefined) {
      profile = this.storedProfile(userId);
      this.profiles.set(userId, profile);
    }
    return profile ?? undefined;
  }

  putProfile(profile: UserProfile): void {
    const signedUpAt = profile.signedUpAt;
    const canonical = signedUpAt === undefined ? undefined : canonicalInstant(signedUpAt, 'profile.signedUpAt');
    const stored = canonical === signedUpAt ? profile : { ...profile, signedUpAt: canonical };
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
    const daysByUser = new Map<string, ActiveDay[]>();
    for (const d of this.days.values()) {
      const list = daysByUser.get(d.userId);
      if (list === undefined) daysByUser.set(d.userId, [d]);
      else list.push(d);
    }
    // recorded when the store opened (SqliteReadModels.ensureStageWindow); read per batch, as
    // another process may have derived the deltas again for another window since
    const windowDays = this.stmts.stages.windowDays();
    const stageChanges = windowDays === undefined ? undefined : stageChangesProjection(windowDays);
    const deltas: StageDeltas = new Map();
    const mirror = this.mirror;
    for (const userId of new Set([...this.dirty, ...daysByUser.keys()])) {
      const profile = this.dirty.has(userId) ? (this.profiles.get(userId) ?? null) : null;
      const before = this.storedProfile(userId)?.signedUpAt ?? null;
      const after = profile === null ? before : (profile.signedUpAt ?? null);
      const added = daysByUser.get(userId) ?? [];
      const tracked = stageChanges !== undefined && (before !== null || after !== null);
      if (!tracked && mirror === undefined) {
        // the upsert merges the day with what is stored: no read needed
        for (const d of added) this.stmts.addActivity.run(d.userId, d.day, d.first, d.last);
        continue;
      }
      // most events change a profile and no activity day: nothing for the stages then
      if (added.length === 0) {
        mirror?.put(userId, profile, null);
        if (!tracked || before === after) continue;
      }
      const stored = mirror ? mirror.days(userId) : this.stmts.activityDaysOf.all(userId);
      const merged = new Map(stored.map((r) => [r.day, { first: r.first_at, last: r.last_at }]));
      let daysChanged = false;
      for (const d of added) {
        const known = merged.get(d.day);
        if (known !== undefined && known.first <= d.first && known.last >= d.last) continue;
        const first = known === undefined || d.first < known.first ? d.first : known.first;
        const last = known === undefined || d.last > known.last ? d.last : known.last;
        merged.set(d.day, { first, last });
        this.stmts.addActivity.run(userId, d.day, first, last);
        daysChanged = true;
      }
      if (added.length > 0) mirror?.put(userId, profile, daysChanged ? rowsOf(merged) : null);
      if (!tracked || stageChanges === undefined || (before === after && !daysChanged)) continue;
      const oldDays = stored.map((r) => ({ firstAt: Date.parse(r.first_at), lastAt: Date.parse(r.last_at) }));
      const newDays = daysChanged
        ? [...merged.values()].map((d) => ({ firstAt: Date.parse(d.first), lastAt: Date.parse(d.last) }))
        : oldDays;
      stageChanges.apply(deltas, {
        before: { signedUpAt: instantOf(before), days: oldDays },
        after: { signedUpAt: instantOf(after), days: newDays },
      });
    }
    for (const userId of this.dirty) {
      const profile = this.profiles.get(userId);
      if (profile) this.stmts.putUser.run(...userValuesOf(profile));
    }
    this.stmts.stages.addDeltas(deltas);
  }

  /** the user's profile as stored before this batch, read once */
  private storedProfile(userId: string): UserProfile | null {
    let profile = this.before.get(userId);
    if (profile === undefined) {
      if (this.mirror) profile = this.mirror.profile(userId);
      else {
        const row = this.stmts.user.get(userId);
        profile = row === undefined ? null : toUserProfile(row);
      }
      this.before.set(userId, profile);
    }
    return profile;
  }
}

const instantOf = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

const rowsOf = (days: ReadonlyMap<string, { first: string; last: string }>): ActivityDayRow[] =>
  [...days].map(([day, d]) => ({ day, first_at: d.first, last_at: d.last }));
