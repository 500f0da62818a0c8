import type { ReadModelStore, UserProfile } from '../../application/ports/readModels/readModels.ts';
import type { FakeSlack, FakeSlackMessage } from '../slack/fakeSlack.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Test support: `users` users in the read models, written as the users projection would, signed up
 * over the 60 days before `asOf` with 0–3 meaningful activities each, so that every stage has
 * users and a daily report has thousands of PDF lines to lay out (the bench's shape, in any store).
 */
export const seedReportUsers = async (store: ReadModelStore, users: number, asOf: number): Promise<void> => {
  const batch = 2_000;
  let position = 0n;
  for (let start = 0; start < users; start += batch) {
    const from = position === 0n ? null : { commit: position, prepare: position };
    position++;
    await store.applyBatch('users', { from, to: { commit: position, prepare: position } }, (w) => {
      for (let i = start; i < Math.min(users, start + batch); i++) {
        const userId = `user-${String(i).padStart(6, '0')}`;
        const signedUp = asOf - ((i * 7919) % 60_000) * (DAY_MS / 1000);
        const activities = Array.from({ length: i % 4 }, (_, k) => signedUp + (k + 1) * ((i % 5) + 1) * HOUR_MS * 7);
        const at = (ms: number) => new Date(ms).toISOString();
        w.addTimelineEntry({
          userId,
          eventId: `${userId}-s`,
          type: 'UserSignedUp',
          occurredAt: at(signedUp),
          data: { email: `${userId}@example.com` },
          ruleId: 'seed',
          sourceMessageIds: [`${userId}-m`],
        });
        activities.forEach((a, k) => {
          w.addActivity(userId, at(a));
          w.addTimelineEntry({
            userId,
            eventId: `${userId}-${k}`,
            type: k === 0 ? 'ProjectCreated' : 'DeploymentStarted',
            occurredAt: at(a),
            data: {},
            ruleId: 'seed',
            sourceMessageIds: [`${userId}-m${k}`],
          });
        });
        const last = activities.at(-1);
        const profile: UserProfile = {
          userId,
          email: `${userId}@example.com`,
          signedUpAt: at(signedUp),
          firstSeenAt: at(signedUp),
          lastSeenAt: at(last ?? signedUp),
          ...(last === undefined ? {} : { lastActivityAt: at(last) }),
          eventCount: 1 + activities.length,
          lastEventType: last === undefined ? 'UserSignedUp' : 'DeploymentStarted',
        };
        w.putProfile(profile);
      }
    });
  }
};

/** one stage's message with its PDF in the fake Slack, and the replies in its thread */
export type PostedStage = { readonly message: FakeSlackMessage; readonly replies: readonly string[] };

const REPORT_FILE = /^funnel-(\d{4}-\d{2}-\d{2})-(\w+)\.pdf$/;

/** the date and stage of a report's stage message (by its PDF's name), if it is one */
export const reportFileOf = (message: FakeSlackMessage): { date: string; stage: string } | undefined => {
  const match = REPORT_FILE.exec(message.files?.[0]?.filename ?? '');
  return match ? { date: match[1] ?? '', stage: match[2] ?? '' } : undefined;
};

/** every stage message of the reports in the fake Slack, by date, in the order posted */
export const postedReports = (slack: FakeSlack): Map<string, PostedStage[]> => {
  const byDate = new Map<string, PostedStage[]>();
  for (const message of slack.messages) {
    const file = reportFileOf(message);
    if (!file) continue;
    const replies = slack.messages.filter((m) => m.threadTs === message.ts).map((m) => m.text);
    byDate.set(file.date, [...(byDate.get(file.date) ?? []), { message, replies }]);
  }
  return byDate;
};

/** the replies a stage with `count` users gets (infrastructure/slack/reportMessages.ts): 50 and a pointer */
export const expectedReplies = (count: number): number => Math.min(count, 50) + (count > 50 ? 1 : 0);
