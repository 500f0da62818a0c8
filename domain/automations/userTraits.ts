import type { AnyJourneyEvent, JourneyEventType } from '../journey/journeyEvent.ts';
import { DAY_MS, type Stage, stageOf } from '../stage/stage.ts';

/**
 * What the automations projection keeps of each user, so conditions and messages can speak of
 * `user.*` without reading another projection's store (its checkpoint would not be ours). Times
 * are event times, ISO-8601.
 */
export type AutomationUser = {
  readonly userId: string;
  readonly email?: string;
  readonly name?: string;
  readonly signedUpAt?: string;
  readonly lastSeenAt: string;
  readonly deployments: number;
  readonly failures: number;
  readonly errors: number;
  /** distinct UTC days (YYYY-MM-DD) of meaningful activity, ascending */
  readonly activityDays: readonly string[];
  readonly lastActivityAt?: string;
  /** when events named in some `unless` happened, newest last, at most UNLESS_KEPT per type */
  readonly seen: Readonly<Partial<Record<JourneyEventType, readonly string[]>>>;
};

/** what `user.*` means in a condition or a template, as of an instant */
export type UserTraits = {
  readonly email?: string;
  readonly name?: string;
  readonly signedUpAt?: string;
  readonly daysSinceSignUp?: number;
  readonly stage?: Stage;
  readonly deployments: number;
  readonly failures: number;
  readonly errors: number;
  readonly lastSeenAt: string;
};

const UNLESS_KEPT = 50;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
const earlier = (a: string | undefined, b: string): string => (a === undefined || b < a ? b : a);
const later = (a: string | undefined, b: string): string => (a === undefined || b > a ? b : a);

const withDay = (days: readonly string[], day: string): readonly string[] =>
  days.includes(day) ? days : [...days, day].sort();

export const evolveAutomationUser = (
  user: AutomationUser | undefined,
  userId: string,
  event: AnyJourneyEvent,
  options: { readonly meaningful: ReadonlySet<JourneyEventType>; readonly remembered: ReadonlySet<JourneyEventType> },
): AutomationUser => {
  const at = event.metadata.occurredAt;
  const base: AutomationUser = user ?? {
    userId,
    lastSeenAt: at,
    deployments: 0,
    failures: 0,
    errors: 0,
    activityDays: [],
    seen: {},
  };
  const next: { -readonly [K in keyof AutomationUser]: AutomationUser[K] } = {
    ...base,
    lastSeenAt: later(base.lastSeenAt, at),
  };
  if (options.meaningful.has(event.type)) {
    next.activityDays = withDay(base.activityDays, new Date(at).toISOString().slice(0, 10));
    next.lastActivityAt = later(base.lastActivityAt, at);
  }
  if (options.remembered.has(event.type)) {
    const times = [...(base.seen[event.type] ?? []), at].sort().slice(-UNLESS_KEPT);
    next.seen = { ...base.seen, [event.type]: times };
  }
  if (event.type === 'UserSignedUp' || event.type === 'UserIdentified') {
    const email = text(event.data.email);
    const name = text(event.data.name);
    if (email) next.email = email;
    if (name) next.name = name;
    if (event.type === 'UserSignedUp') next.signedUpAt = earlier(base.signedUpAt, at);
  }
  if (event.type === 'DeploymentStarted') next.deployments = base.deployments + 1;
  if (event.type === 'DeploymentFailed') next.failures = base.failures + 1;
  if (event.type === 'ErrorEncountered') next.errors = base.errors + 1;
  return next;
};

/** `user.*` as of `asOf` (epoch ms): the stage counts activity days up to that instant only */
export const traitsOf = (user: AutomationUser, asOf: number, windowDays: number): UserTraits => {
  const asOfDay = new Date(asOf).toISOString().slice(0, 10);
  const days = user.activityDays.filter((d) => d <= asOfDay);
  const lastActivity = user.lastActivityAt === undefined ? null : Math.min(Date.parse(user.lastActivityAt), asOf);
  const signedUp = user.signedUpAt === undefined ? undefined : Date.parse(user.signedUpAt);
  return {
    ...(user.email === undefined ? {} : { email: user.email }),
    ...(user.name === undefined ? {} : { name: user.name }),
    ...(user.signedUpAt === undefined || signedUp === undefined
      ? {}
      : {
          signedUpAt: user.signedUpAt,
          daysSinceSignUp: Math.max(0, Math.floor((asOf - signedUp) / DAY_MS)),
          stage: stageOf(
            { activeDays: days.length, lastActivityAt: days.length === 0 ? null : lastActivity },
            asOf,
            windowDays,
          ),
        }),
    deployments: user.deployments,
    failures: user.failures,
    errors: user.errors,
    lastSeenAt: user.lastSeenAt,
  };
};
