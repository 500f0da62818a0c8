import type { ReportUserSessions } from '../ports/funnelReport.ts';
import type { Logger } from '../ports/logger.ts';
import type { SessionStore } from '../ports/sessionStore/sessionStore.ts';

/** a page's session figures per user (none: 0); undefined when they could not be read */
export type SessionTotalsOfPage = (
  userIds: readonly string[],
) => Promise<((userId: string) => ReportUserSessions) | undefined>;

const NONE: ReportUserSessions = { count: 0, durationMs: 0 };

/**
 * Reads each page's session totals in one call. The sessions are a read model of their own, rebuilt
 * or behind at times: a user it has not seen counts 0, and a read that fails leaves that page's
 * figures out ("—") rather than failing the report, which the other read models can still answer.
 */
export const sessionTotalsReader = (
  sources: { readonly sessions: Pick<SessionStore, 'sessionTotalsOf'>; readonly logger?: Logger },
  range: { readonly from: string; readonly to: string },
): SessionTotalsOfPage => {
  let warned = false;
  return async (userIds) => {
    try {
      const totals = new Map(
        (await sources.sessions.sessionTotalsOf(userIds, range)).map((t) => [
          t.userId,
          { count: t.sessions, durationMs: t.durationMs },
        ]),
      );
      return (userId) => totals.get(userId) ?? NONE;
    } catch (error) {
      // once a report: a store that is down fails every page alike
      if (!warned)
        sources.logger?.warn(
          { err: error, from: range.from, to: range.to },
          `the daily report cannot read the sessions read model (${error instanceof Error ? error.message : String(error)}); its user lines show "—" for sessions. Check sessions.db (or journey.sessions) and resend the date with --force once it reads`,
        );
      warned = true;
      return undefined;
    }
  };
};
