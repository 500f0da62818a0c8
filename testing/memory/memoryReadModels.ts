import { comparePositions, type Position, samePosition } from '../../application/ports/eventStore/eventStore.ts';
import { pageSizeOf } from '../../application/ports/readModels/pageSize.ts';
import type {
  CheckpointResult,
  DayCount,
  JourneySnapshot,
  LatestEvents,
  ProfileSnapshot,
  ReadModelQueries,
  ReadModelStore,
  ReadModelWriter,
  ReportedUser,
  StageSummary,
  TimelineEntry,
  UserProfile,
} from '../../application/ports/readModels/readModels.ts';
import type { Stage } from '../../domain/stage/stage.ts';
import { DEFAULT_WINDOW_DAYS, type StageHistory, stageCountsAt } from '../../domain/stage/stageChanges.ts';
import { canonicalInstant, utcDayOf } from '../../infrastructure/polling/instants.ts';
import {
  type StageChangesProjection,
  type StageDeltas,
  stageChangesProjection,
} from '../../projections/stageChanges/stageChangesProjection.ts';
import { deepFreeze } from './deepFreeze.ts';

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** what SQLite's lower() does: ASCII letters only, so both adapters fold alike */
const asciiLowerCase = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

type ActiveDay = { first: string; last: string };

const withCanonicalSignUp = (profile: UserProfile): UserProfile =>
  profile.signedUpAt === undefined
    ? profile
    : { ...profile, signedUpAt: canonicalInstant(profile.signedUpAt, 'profile.signedUpAt') };

/**
 * Read models in maps: writes are staged and merged when `apply` returns (all or nothing, as
 * a transaction); activity per UTC day as in SQLite; the stage deltas are what the
 * stage-change projection decides for each user a batch changed, summed by `stageCounts`.
 */
export class MemoryReadModels implements ReadModelStore, ReadModelQueries {
  /** per user, in append order */
  private readonly timeline = new Map<string, TimelineEntry[]>();
  private readonly eventIds = new Set<string>();
  private readonly profiles = new Map<string, UserProfile>();
  private readonly activity = new Map<string, Map<string, ActiveDay>>();
  private readonly checkpoints = new Map<string, Position>();
  private readonly stageChanges: StageChangesProjection;
  private readonly stageDeltas: StageDeltas = new Map();

  /** `windowDays`: the window stage counts are kept for (the SQLite adapter's option of that name) */
  constructor(options: { readonly windowDays?: number } = {}) {
    this.stageChanges = stageChangesProjection(options.windowDays ?? DEFAULT_WINDOW_DAYS);
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    return this.checkpoints.get(projection) ?? null;
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: ReadModelWriter) => void,
  ): Promise<CheckpointResult> {
    const current = this.checkpoints.get(projection) ?? null;
    if (!samePosition(current, checkpoint.from)) return { kind: 'mismatch', current };
    const entries: TimelineEntry[] = [];
    const newIds = new Set<string>();
    const profiles = new Map<string, UserProfile>();
    const activity: [string, string][] = [];
    apply({
      addTimelineEntry: (entry) => {
        if (this.eventIds.has(entry.eventId) || newIds.has(entry.eventId)) return;
        newIds.add(entry.eventId);
        const occurredAt = canonicalInstant(entry.occurredAt, 'timeline occurredAt');
        entries.push(deepFreeze(structuredClone({ ...entry, occurredAt })));
      },
      getProfile: (userId) => profiles.get(userId) ?? this.profiles.get(userId),
      putProfile: (profile) => {
        profiles.set(profile.userId, deepFreeze(structuredClone(withCanonicalSignUp(profile))));
      },
      addActivity: (userId, at) => {
        activity.push([userId, canonicalInstant(at, 'activity time')]);
      },
    });
    for (const entry of entries) {
      this.eventIds.add(entry.eventId);
      const list = this.timeline.get(entry.userId) ?? [];
      list.push(entry);
      this.timeline.set(entry.userId, list);
    }
    const changed = new Set([...profiles.keys(), ...activity.map(([userId]) => userId)]);
    const before = new Map([...changed].map((userId) => [userId, this.stageHistoryOf(userId)]));
    for (const profile of profiles.values()) this.profiles.set(profile.userId, profile);
    for (const [userId, at] of activity) this.addActivity(userId, at);
    for (const [userId, history] of before) {
      this.stageChanges.apply(this.stageDeltas, { before: history, after: this.stageHistoryOf(userId) });
    }
    this.checkpoints.set(projection, checkpoint.to);
    return { kind: 'stored' };
  }

  async getJourney(userId: string, options: { readonly limit?: number } = {}): Promise<TimelineEntry[]> {
    // Array.prototype.sort is stable, so equal times keep append order
    const sorted = [...(this.timeline.get(userId) ?? [])].sort((a, b) =>
      a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0,
    );
    return sorted.slice(0, options.limit ?? sorted.length);
  }

  async getProfile(userId: string): Promise<UserProfile | undefined> {
    return this.profiles.get(userId);
  }

  async getProfiles(userIds: readonly string[]): Promise<UserProfile[]> {
    return [...new Set(userIds)].flatMap((id) => this.profiles.get(id) ?? []);
  }

  async stageSummaries(asOf: string): Promise<StageSummary[]> {
    const t = canonicalInstant(asOf, 'asOf');
    const summaries: StageSummary[] = [];
    for (const profile of this.profiles.values()) {
      if (profile.signedUpAt === undefined || profile.signedUpAt > t) continue;
      let activeDays = 0;
      let lastActivityAt: string | null = null;
      for (const day of this.activity.get(profile.userId)?.values() ?? []) {
        if (day.first > t) continue;
        activeDays++;
        // on T's own day the latest activity up to T is not kept; the first one stands in
        const latest = day.last <= t ? day.last : day.first;
        if (lastActivityAt === null || latest > lastActivityAt) lastActivityAt = latest;
      }
      summaries.push({ userId: profile.userId, signedUpAt: profile.signedUpAt, activeDays, lastActivityAt });
    }
    return summaries.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  }

  async stageSummary(userId: string, asOf: string): Promise<StageSummary | undefined> {
    return (await this.stageSummaries(asOf)).find((s) => s.userId === userId);
  }

  async stageCounts(asOf: string, windowDays: number): Promise<Record<Stage, number> | undefined> {
    const t = Date.parse(canonicalInstant(asOf, 'asOf'));
    if (windowDays !== this.stageChanges.windowDays) return undefined;
    return stageCountsAt(this.stageDeltas, t);
  }

  async countSignups(after: string, until: string): Promise<number> {
    const from = canonicalInstant(after, 'after');
    const to = canonicalInstant(until, 'until');
    let count = 0;
    for (const p of this.profiles.values()) {
      if (p.signedUpAt !== undefined && p.signedUpAt > from && p.signedUpAt <= to) count++;
    }
    return count;
  }
  async signupsByDay(from: string, to: string): Promise<DayCount[]> {
    const counts = new Map<string, number>();
    for (const p of this.profiles.values()) {
      const date = p.signedUpAt?.slice(0, 10);
      if (date !== undefined && date >= from && date <= to) counts.set(date, (counts.get(date) ?? 0) + 1);
    }
    return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, count]) => ({ date, count }));
  }

  async searchUsers(prefix: string, limit: number): Promise<UserProfile[]> {
    const folded = asciiLowerCase(prefix);
    const byId = [...this.profiles.values()]
      .filter((p) => p.userId.startsWith(prefix))
      .sort((a, b) => compare(a.userId, b.userId));
    const byEmail = [...this.profiles.values()]
      .flatMap((p) => (p.email === undefined ? [] : [{ p, email: asciiLowerCase(p.email) }]))
      .filter(({ p, email }) => email.startsWith(folded) && !p.userId.startsWith(prefix))
      .sort((a, b) => compare(a.email, b.email) || compare(a.p.userId, b.p.userId))
      .map(({ p }) => p);
    return [...byId, ...byEmail].slice(0, limit);
  }

  async *activityHistories(
    asOf: string,
    options: { readonly pageSize?: number } = {},
  ): AsyncIterable<readonly ReportedUser[]> {
    const t = canonicalInstant(asOf, 'asOf');
    const size = pageSizeOf(options.pageSize);
    const signedUp = [...this.profiles.values()]
      .flatMap((p) => (p.signedUpAt === undefined || p.signedUpAt > t ? [] : [{ p, signedUpAt: p.signedUpAt }]))
      .sort((a, b) => compare(b.signedUpAt, a.signedUpAt) || compare(a.p.userId, b.p.userId));
    for (let start = 0; start < signedUp.length; start += size) {
      yield signedUp.slice(start, start + size).map(({ p, signedUpAt }) => ({
        userId: p.userId,
        signedUpAt,
        ...(p.email === undefined ? {} : { email: p.email }),
        ...(p.name === undefined ? {} : { name: p.name }),
        days: [...(this.activity.get(p.userId)?.values() ?? [])]
          .filter((d) => d.first <= t)
          .sort((a, b) => compare(a.first, b.first))
          .map((d) => ({ firstAt: d.first, lastAt: d.last })),
      }));
    }
  }

  async latestEventsOf(userIds: readonly string[], asOf: string, perUser: number): Promise<LatestEvents[]> {
    const t = canonicalInstant(asOf, 'asOf');
    const result: LatestEvents[] = [];
    for (const userId of userIds) {
      const events = (await this.getJourney(userId))
        .filter((e) => e.occurredAt <= t)
        .slice(-perUser)
        .reverse()
        .map((e) => ({ type: e.type, occurredAt: e.occurredAt }));
      if (events.length > 0) result.push({ userId, events });
    }
    return result;
  }

  /** no await between the reads: nothing else runs in between, as in one transaction */
  async profileSnapshot(userId: string, asOf: string, projection: string): Promise<ProfileSnapshot> {
    const summary = this.stageSummaries(asOf).then((all) => all.find((s) => s.userId === userId));
    const snapshot = { position: this.checkpoints.get(projection) ?? null, profile: this.profiles.get(userId) };
    return { ...snapshot, summary: await summary };
  }

  async journeySnapshot(userId: string, upTo: Position, projection: string): Promise<JourneySnapshot> {
    const position = this.checkpoints.get(projection) ?? null;
    const entries = (await this.getJourney(userId)).filter(
      (e) => e.position === undefined || comparePositions(e.position, upTo) <= 0,
    );
    return { position, entries };
  }

  async close(): Promise<void> {}

  private stageHistoryOf(userId: string): StageHistory {
    const signedUpAt = this.profiles.get(userId)?.signedUpAt;
    if (signedUpAt === undefined) return { signedUpAt: null, days: [] };
    const days = [...(this.activity.get(userId)?.values() ?? [])].map((d) => ({
      firstAt: Date.parse(d.first),
      lastAt: Date.parse(d.last),
    }));
    return { signedUpAt: Date.parse(signedUpAt), days };
  }

  private addActivity(userId: string, at: string): void {
    const days = this.activity.get(userId) ?? new Map<string, ActiveDay>();
    const key = utcDayOf(at);
    const day = days.get(key);
    if (day === undefined) days.set(key, { first: at, last: at });
    else {
      if (at < day.first) day.first = at;
      if (at > day.last) day.last = at;
    }
    this.activity.set(userId, days);
  }
}
