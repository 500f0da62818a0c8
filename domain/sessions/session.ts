import type { Device } from './deviceOf.ts';

/**
 * A session: one user's run of activity with no gap longer than the timeout, by event time,
 * cut also where the client's session id changes. `first` and `last` are the (time,
 * messageId) bounds of its events, which tell exactly which session an event belongs to.
 */
export type Session = {
  readonly sessionId: string;
  readonly userId: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly eventCount: number;
  readonly pageViews: number;
  readonly firstMessageId: string;
  readonly lastMessageId: string;
  readonly entryUrl?: string;
  readonly exitUrl?: string;
  readonly referrer?: string;
  readonly utmSource?: string;
  readonly utmMedium?: string;
  readonly utmCampaign?: string;
  readonly utmTerm?: string;
  readonly utmContent?: string;
  readonly device?: Device;
  readonly clientSessionId?: string;
};

export const DEFAULT_SESSION_TIMEOUT_MINUTES = 30;
