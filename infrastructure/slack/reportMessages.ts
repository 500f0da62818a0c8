import {
  type FunnelReport,
  REPORT_SESSION_DAYS,
  type ReportUser,
  type StageReport,
} from '../../application/ports/funnelReport.ts';
import { sessionTimeText } from '../../domain/report/sessionFigures.ts';
import { stageTitles } from '../../domain/report/stageDefinitions.ts';
import { zonedDateTimeFormatter } from '../../domain/report/zonedDay.ts';

/** What Slack gets for one stage: a message with the PDF, then one reply per user. */
export type StageSlackPayload = {
  readonly stage: StageReport['stage'];
  readonly channel: string;
  readonly file: { readonly filename: string; readonly title: string };
  /** the message text that introduces the PDF (Slack mrkdwn) */
  readonly text: string;
  /** the threaded replies, in order */
  readonly replies: readonly string[];
};

/** at most FIRST_USERS_KEPT: the report carries no more users than that */
export const MAX_REPLIES = 50;

const changeOf = (s: StageReport): string => {
  const change = s.count - s.previousCount;
  return change === 0
    ? 'no change from the day before'
    : `${change > 0 ? '+' : '−'}${Math.abs(change)} from the day before`;
};

/** `2 (40 min)`, `0`, or `—` when the sessions could not be read */
const sessionsOf = ({ sessions }: ReportUser): string =>
  sessions === undefined
    ? '—'
    : sessions.count === 0
      ? '0'
      : `${sessions.count} (${sessionTimeText(sessions.durationMs)})`;

/** one user's journey summary, as a threaded reply */
export const userReplyOf = (user: ReportUser, format: (iso: string) => string): string => {
  const who = user.email ? `*${user.userId}* (${user.email})` : `*${user.userId}*`;
  const last = user.lastActivityAt ? format(user.lastActivityAt) : 'none yet';
  const sessions = `sessions in ${REPORT_SESSION_DAYS} days: ${sessionsOf(user)}`;
  const events = user.latestEvents.map((e) => `${e.type} ${format(e.occurredAt)}`).join(', ');
  return `${who} · signed up ${format(user.signedUpAt)} · last meaningful activity ${last} · ${sessions}${events ? ` · latest: ${events}` : ''}`;
};

/** the Slack messages of a report: one per stage, replies capped at MAX_REPLIES plus a pointer to the PDF */
export const reportSlackPayloads = (report: FunnelReport, channel: string): StageSlackPayload[] => {
  const { date, timeZone, newSignups } = report.recorded;
  const format = zonedDateTimeFormatter(timeZone);
  return report.stages.map((s) => {
    const shown = s.firstUsers.slice(0, MAX_REPLIES).map((u) => userReplyOf(u, format));
    const more = s.count - shown.length;
    return {
      stage: s.stage,
      channel,
      file: { filename: `funnel-${date}-${s.stage}.pdf`, title: `${stageTitles[s.stage]} users, ${date}` },
      text:
        `*${stageTitles[s.stage]} users on ${date}* (${timeZone}): *${s.count}* (${changeOf(s)}). ` +
        `New sign-ups that day: ${newSignups}. ` +
        (s.count === 0 ? 'No users in this stage.' : 'One reply per user in the thread; all of them are in the PDF.'),
      replies: more > 0 ? [...shown, `and ${more} more — see the PDF`] : shown,
    };
  });
};
