import type { FunnelReport, ReportUser } from '../../application/funnelReport.ts';
import { type Stage, stages } from '../../domain/stage/stage.ts';

/** Test and bench support: a report with `sizes[stage]` made-up users per stage. */
export const reportFixture = (sizes: Record<Stage, number>, date = '2026-03-10', timeZone = 'UTC'): FunnelReport => {
  const asOf = Date.parse(`${date}T23:59:59.999Z`);
  const usersOf = (stage: Stage): ReportUser[] =>
    Array.from({ length: sizes[stage] }, (_, i) => ({
      userId: `${stage}-user-${String(i).padStart(6, '0')}`,
      ...(i % 4 === 3 ? {} : { email: `${stage}.${i}@example.com` }),
      ...(i % 3 === 0 ? { name: `Person ${i}` } : {}),
      signedUpAt: new Date(asOf - (i + 1) * 3_600_000).toISOString(),
      lastActivityAt: stage === 'signedUp' ? null : new Date(asOf - i * 1_800_000).toISOString(),
      latestEvents: [
        { type: 'DeploymentStarted', occurredAt: new Date(asOf - i * 1_800_000).toISOString() },
        { type: 'ProjectCreated', occurredAt: new Date(asOf - i * 1_800_000 - 60_000).toISOString() },
        { type: 'UserSignedUp', occurredAt: new Date(asOf - (i + 1) * 3_600_000).toISOString() },
      ].slice(0, i % 4),
    }));
  const reports = stages.map((stage) => {
    const users = usersOf(stage);
    return {
      stage,
      count: users.length,
      previousCount: Math.max(0, users.length - 2),
      trend: Array.from({ length: 30 }, (_, i) => ({
        date: new Date(asOf - (29 - i) * 86_400_000).toISOString().slice(0, 10),
        count: i === 29 ? users.length : Math.round((users.length * (i + 1)) / 30),
      })),
      users,
    };
  });
  return {
    recorded: {
      date,
      timeZone,
      asOf: new Date(asOf).toISOString(),
      windowDays: 15,
      newSignups: 3,
      forced: false,
      stages: Object.fromEntries(
        reports.map((r) => [r.stage, { count: r.count, userIds: r.users.map((u) => u.userId) }]),
      ) as FunnelReport['recorded']['stages'],
    },
    stages: reports,
  };
};
