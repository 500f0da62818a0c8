import { describe, expect, it } from 'vitest';
import type { Stage } from '../../domain/stage/stage.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { MemorySessionStore } from '../../testing/memory/memorySessionStore.ts';
import { FIRST_USERS_KEPT, type ReportUser } from '../ports/funnelReport.ts';
import type { Logger } from '../ports/logger.ts';
import { applyNext, timelineEntry } from '../ports/readModels/readModels.fixtures.ts';
import { pos, session } from '../ports/sessionStore/sessionStore.fixtures.ts';
import type { SessionStore } from '../ports/sessionStore/sessionStore.ts';
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

/**
 * Sessions of every third user: one just outside the 15 days before AS_OF, one just inside, one
 * at AS_OF going on past it, one after it. Window: (AS_OF − 15 days, AS_OF].
 */
const seededSessions = async (): Promise<MemorySessionStore> => {
  const sessions = new MemorySessionStore();
  await sessions.applyBatch('sessions', { from: null, to: pos(1) }, (w) => {
    for (let i = 0; i < 260; i += 3) {
      const userId = `u${String(i).padStart(3, '0')}`;
      w.putSession(session(userId, iso(AS_OF - 15 * DAY), `${userId}-out`, { durationMs: 60_000 }));
      w.putSession(session(userId, iso(AS_OF - 15 * DAY + 1), `${userId}-in`, { durationMs: 1_000 * i }));
      w.putSession(session(userId, iso(AS_OF), `${userId}-end`, { durationMs: 60_000 }));
      w.putSession(session(userId, iso(AS_OF + 1), `${userId}-after`, { durationMs: 60_000 }));
    }
  });
  return sessions;
};

type SessionTotals = Pick<SessionStore, 'sessionTotalsOf'>;

const build = async (
  readModels: MemoryReadModels,
  options: Partial<FunnelReportOptions> = {},
  sessions: SessionTotals = new MemorySessionStore(),
  logger?: Logger,
) => {
  const laidOut: { stage: Stage; user: ReportUser }[] = [];
  const report = await buildFunnelReport(
    { readModels, sessions, ...(logger ? { logger } : {}) },
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

  it('gives each user their sessions of the 15 days up to the as-of instant, read once per page of users', async () => {
    const readModels = await seeded();
    const store = await seededSessions();
    const asked: (readonly string[])[] = [];
    const counting: SessionTotals = {
      sessionTotalsOf: (userIds, range) => {
        asked.push(userIds);
        return store.sessionTotalsOf(userIds, range);
      },
    };
    const { laidOut } = await build(readModels, { pageSize: 7 }, counting);
    expect(asked).toHaveLength(Math.ceil(260 / 7));
    expect(asked.map((ids) => ids.length)).toEqual([...Array.from({ length: 37 }, () => 7), 260 - 37 * 7]);
    expect(asked.flat()).toEqual(laidOut.map((l) => l.user.userId));
    const byId = new Map(laidOut.map((l) => [l.user.userId, l.user.sessions]));
    // the one just inside, and the one at AS_OF with no time before it; not the one at AS_OF − 15 days
    expect(byId.get('u003')).toEqual({ count: 2, durationMs: 3_000 });
    expect(byId.get('u258')).toEqual({ count: 2, durationMs: 258_000 });
    expect(byId.get('u001')).toEqual({ count: 0, durationMs: 0 });
    expect(laidOut.filter((l) => l.user.sessions?.count === 2)).toHaveLength(87);
    expect(laidOut.every((l) => l.user.sessions !== undefined)).toBe(true);
  });

  it('leaves out the session figures, not the report, when the sessions cannot be read, and warns once', async () => {
    const readModels = await seeded();
    const store = await seededSessions();
    let calls = 0;
    // fails on the second page only: its users show no figures, the others do
    const flaky: SessionTotals = {
      sessionTotalsOf: async (userIds, range) => {
        if (++calls === 2) throw new Error('database disk image is malformed');
        return store.sessionTotalsOf(userIds, range);
      },
    };
    const warnings: string[] = [];
    const logger: Logger = { info: () => {}, error: () => {}, warn: (_, message) => warnings.push(message) };
    const { report, laidOut } = await build(readModels, { pageSize: 100 }, flaky, logger);
    const users = laidOut.map((l) => l.user);
    expect(users).toHaveLength(260);
    expect(users.slice(100, 200).every((u) => u.sessions === undefined)).toBe(true);
    expect(users.filter((u) => u.sessions === undefined)).toHaveLength(100);
    expect(users.find((u) => u.userId === 'u003')?.sessions).toEqual({ count: 2, durationMs: 3_000 });
    expect(warnings).toEqual([expect.stringContaining('database disk image is malformed')]);
    expect(report.recorded).toEqual((await build(readModels)).report.recorded);

    const down: SessionTotals = {
      sessionTotalsOf: async () => {
        throw new Error('down');
      },
    };
    const without = await build(readModels, { pageSize: 100 }, down, logger);
    expect(without.laidOut).toHaveLength(260);
    expect(without.laidOut.every((l) => l.user.sessions === undefined)).toBe(true);
    expect(warnings).toHaveLength(2);
  });
});
