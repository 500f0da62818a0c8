import type { RawEvent } from '../raw/rawEvent.ts';

/** An anonymous (device) id that turned out to be this user. */
export type IdentityLink = { readonly anonymousId: string; readonly userId: string };

/**
 * The link a raw event proves, if any: `alias` links its previousId to the user; any other
 * event carrying both ids (an `identify` after sign-in, a track call from a logged-in SDK)
 * links the anonymous id to the user, as Segment's identity resolution does.
 */
export const identityLinkOf = (event: RawEvent): IdentityLink | undefined => {
  if (event.type === 'alias') {
    return event.userId === undefined || event.previousId === event.userId
      ? undefined
      : { anonymousId: event.previousId, userId: event.userId };
  }
  if (event.userId === undefined || event.anonymousId === undefined || event.userId === event.anonymousId) {
    return undefined;
  }
  return { anonymousId: event.anonymousId, userId: event.userId };
};

/** Streams the mapper writes besides the journeys, named here so every adapter agrees. */
export const IDENTITY_STREAM_PREFIX = 'identity-';
export const ANONYMOUS_STREAM_PREFIX = 'anonymous-';
export const identityStreamOf = (anonymousId: string): string => `${IDENTITY_STREAM_PREFIX}${anonymousId}`;
export const anonymousStreamOf = (anonymousId: string): string => `${ANONYMOUS_STREAM_PREFIX}${anonymousId}`;
export const ANONYMOUS_ID_LINKED = 'AnonymousIdLinked';
