import { describe, expect, it } from 'vitest';
import type { Stage } from '../../domain/stage/stage.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { FIRST_USERS_KEPT, type ReportUser } from '../ports/funnelReport.ts';
import { applyNext, timelineEntry } from '../ports/readModels/readModels.fixtures.ts';
import { buildFunnelReport, type FunnelReportOptions } from './buildFunnelReport.ts';

const DAY = 86_400_000;
const AS_OF = Date.parse('2026-03-10T23:59:59.999Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** 260 users: sign-ups over 40 days (some at the same instant), 0–3 activity days, a timeline each */
const seeded = async (windowDays = 15): Promise<MemoryReadModels> => {
  const readModels = new MemoryReadModels({ windowDays });
  await applyNext(readModels, (w) => {
    for (let i = 0; i < 260; i++) {
      const userId = `u${String(i).padStart(3, '0')}`;
      const signedUpAt = AS_OF - (i % 40) * DAY - 3_600_000 * (i % 3);
      w.putProfile({
        userId,
        email: `${userId}@example.com`,
        signedUpAt: iso(signedUpAt),
        firstSeenAt: iso(signedUpAt),
        lastSeenAt: iso(signedUpAt),
        eventCount: 1,
        lastEventType: 'UserSignedUp',
      });
      w.addTimelineEntry(timelineEntry(userId, `${userId}-s`, iso(signedUpAt), { type: 'UserSignedUp' }));
      for (let k = 1; k <= i % 4; k++) {
        const at = iso(signedUpAt + k * (i % 7) * DAY + 60_000);
        w.addActivity(userId, at);
        w.addTimelineEntry(timelineEntry(userId, `${userId}-${k}`, at));
      }
    }
  });
  return readModels;
};

const build = async (readModels: MemoryReadModels, options: Partial<FunnelReportOptions> = {}) => {
  const laidOut: { stage: Stage; user: ReportUser }[] = [];
  const report = await buildFunnelReport(
    readModels,
    '2026-03-10',
    { timeZone: 'UTC', windowDays: 15, ...options },
    () => {
      return (stage, user) => laidOut.push({ stage, user });
    },
  );
  return { report, laidOut };
};

describe('the funnel report, read a page of users at a time', () => {
  it('hands every user to the layout once, newest sign-up first, whatever the page size', async () => {
    const readModels = await seeded();
    const whole = await build(readModels);
    const users = whole.laidOut.map((l) => l.user);
    expect(users).toHaveLength(260);
    expect(new Set(users.map((u) => u.userId)).size).toBe(260);
    const order = [...users].sort((a, b) =>
      a.signedUpAt === b.signedUpAt ? (a.userId < b.userId ? -1 : 1) : a.signedUpAt > b.signedUpAt ? -1 : 1,
    );
    expect(users).toEqual(order);
    for (const pageSize of [1, 7, 50])
      expect(await build(readModels, { pageSize }), `pages of ${pageSize}`).toEqual(whole);
  });

  it('counts each stage as laid out and keeps only its first users', async () => {
    const { report, laidOut } = await build(await seeded());
    for (const s of report.stages) {
      const inStage = laidOut.filter((l) => l.stage === s.stage).map((l) => l.user);
      expect(s.count, s.stage).toBe(inStage.length);
      expect(report.recorded.stages[s.stage]).toEqual({ count: inStage.length });
      expect(s.firstUsers).toEqual(inStage.slice(0, FIRST_USERS_KEPT));
      expect(s.trend.at(-1)).toEqual({ date: '2026-03-10', count: inStage.length });
    }
    expect(report.stages.find((s) => s.stage === 'signedUp')?.count).toBeGreaterThan(FIRST_USERS_KEPT);
    const latest = laidOut.find((l) => l.user.userId === 'u023')?.user.latestEvents;
    expect(latest?.map((e) => e.type)).toEqual(['DeploymentStarted', 'DeploymentStarted', 'DeploymentStarted']);
  });

  it('counts the trend from the histories when the store keeps its stage changes for another window', async () => {
    const kept = await build(await seeded(15));
    const counted = await build(await seeded(7));
    expect(await (await seeded(7)).stageCounts(iso(AS_OF), 15)).toBeUndefined();
    expect(counted.report).toEqual(kept.report);
    expect(kept.report.stages.some((s) => new Set(s.trend.map((p) => p.count)).size > 2)).toBe(true);
  });
});
