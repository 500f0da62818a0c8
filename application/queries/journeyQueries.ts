import { NotFoundError, ValidationError } from '../../domain/errors/journeyError.ts';
import { sessionOfEvent } from '../../domain/sessions/sessionOfEvent.ts';
import { endOfUtcDay, type Funnel, funnelOf, utcDaysBetween } from '../../domain/stage/funnel.ts';
import { checkAsOfAndWindow, type Stage, stageOf, stages } from '../../domain/stage/stage.ts';
import { comparePositions, positionToString } from '../ports/eventStore/eventStore.ts';
import type { ReadModelQueries, StageSummary, TimelineEntry, UserProfile } from '../ports/readModels/readModels.ts';
import type { SessionStore } from '../ports/sessionStore/sessionStore.ts';
import { DEFAULT_PATIENCE, type Patience, untilCaughtUp } from './untilCaughtUp.ts';

export type JourneyView = {
  readonly userId: string;
  /** the store position every part of the answer reflects (`commit/prepare`) */
  readonly position: string;
  readonly stage: Stage | null;
  readonly profile: UserProfile;
  readonly events: readonly { id: string; type: string; occurredAt: string; data: unknown; sessionId?: string }[];
};

export type StageUser = {
  readonly userId: string;
  readonly email?: string;
  readonly name?: string;
  readonly signedUpAt: string;
  readonly lastActivityAt: string | null;
};

const DAY_MS = 86_400_000;

export type JourneyQueriesOptions = {
  /** the names the timeline and users projections keep their checkpoints under; default Journey's own */
  readonly projections?: { readonly timeline: string; readonly users: string };
  /** how long a journey waits for a timeline that is behind the profile */
  readonly patience?: Patience;
  /** when present, each journey event says which session it happened in (sessions follow their own streams) */
  readonly sessions?: Pick<SessionStore, 'sessionsOf'>;
};

const parseInstant = (value: string, parameter: string): number => {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ValidationError(`${parameter}=${value} is not an ISO-8601 instant; use e.g. 2026-01-31T23:59:59Z`, [
      { path: parameter, message: 'must be an ISO-8601 date-time' },
    ]);
  }
  return ms;
};

const summaryOf = (s: StageSummary) => ({
  activeDays: s.activeDays,
  lastActivityAt: s.lastActivityAt === null ? null : Date.parse(s.lastActivityAt),
});

/** The read side of Journey: what the API and the CLI ask of the read models. */
export class JourneyQueries {
  private readonly projections: { readonly timeline: string; readonly users: string };
  private readonly patience: Patience;
  private readonly sessions: Pick<SessionStore, 'sessionsOf'> | undefined;

  constructor(
    private readonly readModels: ReadModelQueries,
    private readonly windowDays: number,
    options: JourneyQueriesOptions = {},
  ) {
    this.projections = options.projections ?? { timeline: 'timeline', users: 'users' };
    this.patience = options.patience ?? DEFAULT_PATIENCE;
    this.sessions = options.sessions;
  }

  /**
   * The profile, stage and events as of one store position: the users projection's, read with
   * its checkpoint. The timeline is cut there (each entry knows its position), so a timeline
   * ahead costs nothing; one behind is waited for, and still behind after that is an
   * UnavailableError (a 503), never an answer whose eventCount and events disagree.
   */
  async journey(userId: string, asOf: number): Promise<JourneyView> {
    const { projections } = this;
    const users = await this.readModels.profileSnapshot(userId, new Date(asOf).toISOString(), projections.users);
    const { profile, position } = users;
    if (!profile || position === null) {
      throw new NotFoundError(`no journey for user ${userId}: no event of this user has been projected`);
    }
    const [entries, sessions] = await Promise.all([
      untilCaughtUp(
        async () => {
          const timeline = await this.readModels.journeySnapshot(userId, position, projections.timeline);
          const caughtUp = timeline.position !== null && comparePositions(timeline.position, position) >= 0;
          return caughtUp ? timeline.entries : undefined;
        },
        this.patience,
        () =>
          `the journey of ${userId} is not ready: its timeline is still behind the profile's store position ${positionToString(position)} (the projector is catching up); retry in ${this.patience.retryAfterSeconds} s`,
      ),
      this.sessions?.sessionsOf(userId) ?? [],
    ]);
    const oldestFirst = [...sessions].reverse();
    return {
      userId,
      position: positionToString(position),
      stage: users.summary ? stageOf(summaryOf(users.summary), asOf, this.windowDays) : null,
      profile,
      events: entries.map((e) => {
        const session = sessionOfEvent(oldestFirst, e.occurredAt, e.sourceMessageIds[0] ?? '');
        return { ...toEventView(e), ...(session === undefined ? {} : { sessionId: session.sessionId }) };
      }),
    };
  }

  async funnel(asOfIso: string): Promise<Funnel> {
    const asOf = parseInstant(asOfIso, 'asOf');
    return this.funnelAt(asOf);
  }

  async dailyFunnel(from: string, to: string): Promise<(Funnel & { date: string })[]> {
    const days = utcDaysBetween(from, to);
    const rows: (Funnel & { date: string })[] = [];
    for (const date of days) rows.push({ date, ...(await this.funnelAt(endOfUtcDay(date))) });
    return rows;
  }

  async stageUsers(stage: Stage, asOfIso: string): Promise<{ asOf: string; stage: Stage; users: StageUser[] }> {
    if (!stages.includes(stage)) {
      throw new ValidationError(`stage ${stage} is unknown; use one of ${stages.join(', ')}`, [
        { path: 'stage', message: `must be one of ${stages.join(', ')}` },
      ]);
    }
    const asOf = parseInstant(asOfIso, 'asOf');
    const inStage = (await this.summariesAt(asOf)).filter(
      (s) => stageOf(summaryOf(s), asOf, this.windowDays) === stage,
    );
    const profiles = new Map(
      (await this.readModels.getProfiles(inStage.map((s) => s.userId))).map((p) => [p.userId, p]),
    );
    const users = inStage.map((s): StageUser => {
      const p = profiles.get(s.userId);
      return {
        userId: s.userId,
        ...(p?.email === undefined ? {} : { email: p.email }),
        ...(p?.name === undefined ? {} : { name: p.name }),
        signedUpAt: s.signedUpAt,
        lastActivityAt: p?.lastActivityAt ?? null,
      };
    });
    return { asOf: new Date(asOf).toISOString(), stage, users };
  }

  /** the dashboard's user search: by user-id or email prefix */
  async searchUsers(prefix: string, limit: number): Promise<{ search: string; users: UserProfile[] }> {
    return { search: prefix, users: await this.readModels.searchUsers(prefix, limit) };
  }

  /**
   * The stage counts come from the read models' stage deltas (constant time in the user
   * count); a store that keeps them for another window answers undefined, and the funnel
   * then counts every user's summary, as before the deltas existed.
   */
  private async funnelAt(asOf: number): Promise<Funnel> {
    checkAsOfAndWindow(asOf, this.windowDays);
    const asOfIso = new Date(asOf).toISOString();
    const [counts, newSignups] = await Promise.all([
      this.readModels.stageCounts(asOfIso, this.windowDays),
      this.readModels.countSignups(new Date(asOf - DAY_MS).toISOString(), asOfIso),
    ]);
    if (counts) return { asOf: asOfIso, windowDays: this.windowDays, newSignups, stages: counts };
    const summaries = await this.summariesAt(asOf);
    return funnelOf(summaries.map(summaryOf), asOf, this.windowDays, newSignups);
  }

  private summariesAt(asOf: number): Promise<StageSummary[]> {
    return this.readModels.stageSummaries(new Date(asOf).toISOString());
  }
}

const toEventView = (e: TimelineEntry) => ({ id: e.eventId, type: e.type, occurredAt: e.occurredAt, data: e.data });
