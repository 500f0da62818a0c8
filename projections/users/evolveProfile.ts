import type { UserProfile } from '../../application/ports/readModels/readModels.ts';
import type { AnyJourneyEvent, JourneyEventType } from '../../domain/journey/journeyEvent.ts';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

const earlier = (a: string | undefined, b: string): string => (a === undefined || b < a ? b : a);
const later = (a: string | undefined, b: string): string => (a === undefined || b > a ? b : a);

/**
 * The user-profile read model as a pure fold over the user's journey events. Times are
 * event times, so the profile is the same whatever order late events arrive in. (A new
 * object is built once and filled in: this runs for every event of a catch-up.)
 */
export const evolveProfile = (
  profile: UserProfile | undefined,
  userId: string,
  event: AnyJourneyEvent,
  meaningful: ReadonlySet<JourneyEventType>,
): UserProfile => {
  const at = event.metadata.occurredAt;
  const base: UserProfile = profile ?? {
    userId,
    firstSeenAt: at,
    lastSeenAt: at,
    eventCount: 0,
    lastEventType: event.type,
  };
  const next: { -readonly [K in keyof UserProfile]: UserProfile[K] } = {
    ...base,
    firstSeenAt: earlier(base.firstSeenAt, at),
    lastSeenAt: later(base.lastSeenAt, at),
    eventCount: base.eventCount + 1,
    lastEventType: at >= base.lastSeenAt ? event.type : base.lastEventType,
  };
  if (meaningful.has(event.type)) next.lastActivityAt = later(base.lastActivityAt, at);
  switch (event.type) {
    case 'UserIdentified':
    case 'UserSignedUp': {
      const email = text(event.data.email);
      const name = text(event.data.name);
      if (email) next.email = email;
      if (name) next.name = name;
      if (event.type === 'UserSignedUp') next.signedUpAt = earlier(base.signedUpAt, at);
      return next;
    }
    case 'UserAuthenticated':
    case 'ProjectCreated':
    case 'DeploymentStarted':
    case 'DeploymentCompleted':
    case 'DeploymentFailed':
    case 'ErrorEncountered':
    case 'PageViewed':
      return next;
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
};
