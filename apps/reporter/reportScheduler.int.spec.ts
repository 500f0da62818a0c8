import { describe, expect, it } from 'vitest';
import type { FollowedProjection } from '../../application/ops/projectionLag.ts';
import type { Clock } from '../../application/ports/clock.ts';
import type { Position } from '../../application/ports/eventStore/eventStore.ts';
import type { FunnelReport, ReportPublisher, ReportRenderer } from '../../application/ports/funnelReport.ts';
import { ReportScheduler } from '../../application/reports/reportScheduler.ts';
import { RunFunnelReport, readRecordedReports } from '../../application/reports/runFunnelReport.ts';
import { untilProjectionsPass } from '../../application/reports/untilProjectionsPass.ts';
import { JOURNEY_STREAM_PREFIX } from '../../domain/journey/journeyEvent.ts';
import { REPORT_EVENT_TYPE, REPORT_STREAM } from '../../domain/report/usersByActivationStageReported.ts';
import { cronSchedule } from '../../infrastructure/schedule/cronSchedule.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { MemorySessionStore } from '../../testing/memory/memorySessionStore.ts';

/** documents that are never files: the schedule is what is under test */
const renderer: ReportRenderer = {
  start: (figures) => ({
    add: () => {},
    end: async () => new Map(figures.stages.map((s) => [s.stage, { path: `pdf of ${s.stage}`, byteLength: 0 }])),
    discard: async () => {},
  }),
};

/** records the dates it publishes; optionally holds every publish until released */
const recordingPublisher = () => {
  const published: string[] = [];
  const publisher: ReportPublisher = {
    check: async () => {},
    publish: async (report: FunnelReport) => {
      published.push(report.recorded.date);
    },
  };
  return { published, publisher };
};

const setup = (timeZone = 'UTC') => {
  const store = new MemoryEventStore();
  const clock = {
    at: 0,
    now() {
      return this.at;
    },
  } satisfies Clock & { at: number };
  const { published, publisher } = recordingPublisher();
  let ids = 0;
  const report = new RunFunnelReport({
    store,
    readModels: new MemoryReadModels(),
    sessions: new MemorySessionStore(),
    renderer,
    publisher,
    options: { timeZone, windowDays: 15, trendDays: 2 },
    newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  });
  const scheduler = (catchUpDays = 3, cron = '0 6 * * *') =>
    new ReportScheduler(
      { store, schedule: cronSchedule(cron, timeZone), clock, report: (date) => report.run(date) },
      { timeZone, catchUpDays },
    );
  return { store, clock, published, report, scheduler };
};

const recordedDates = async (store: MemoryEventStore) => (await readRecordedReports(store)).reports.map((r) => r.date);

describe('the report schedule (croner) with an injected clock', () => {
  it('reports yesterday once the day’s run time has passed, and the day before yesterday until then', async () => {
    const { clock, scheduler } = setup();
    clock.at = Date.parse('2026-03-12T05:59:00Z');
    expect(await scheduler().dueDates()).toEqual(['2026-03-10']);
    clock.at = Date.parse('2026-03-12T06:00:00Z');
    expect(await scheduler().dueDates()).toEqual(['2026-03-11']);
  });

  it('catches up the days missed while the reporter was down, oldest first, at most JOURNEY_REPORT_CATCHUP_DAYS', async () => {
    const { store, clock, published, report, scheduler } = setup();
    await report.run('2026-03-04');
    clock.at = Date.parse('2026-03-12T07:30:00Z');
    const runs = await scheduler(3).catchUp();
    expect(runs.map((r) => r.kind)).toEqual(['reported', 'reported', 'reported']);
    expect(published).toEqual(['2026-03-04', '2026-03-09', '2026-03-10', '2026-03-11']);
    expect(await recordedDates(store)).toEqual(['2026-03-04', '2026-03-09', '2026-03-10', '2026-03-11']);
    // a restart later the same day finds nothing missed
    expect(await scheduler(3).catchUp()).toEqual([]);
  });

  it('catches up fewer days when fewer were missed, and a first start reports only the day due', async () => {
    const first = setup();
    first.clock.at = Date.parse('2026-03-12T07:30:00Z');
    await first.scheduler().catchUp();
    expect(first.published).toEqual(['2026-03-11']);

    const second = setup();
    await second.report.run('2026-03-09');
    second.clock.at = Date.parse('2026-03-12T07:30:00Z');
    await second.scheduler(5).catchUp();
    expect(second.published).toEqual(['2026-03-09', '2026-03-10', '2026-03-11']);
  });

  it('works in the report zone: 06:00 in Tokyo is 21:00 UTC the day before', async () => {
    const { clock, scheduler } = setup('Asia/Tokyo');
    clock.at = Date.parse('2026-03-11T21:00:00Z'); // 2026-03-12 06:00 in Tokyo
    expect(await scheduler().dueDates()).toEqual(['2026-03-11']);
    clock.at = Date.parse('2026-03-11T20:59:00Z');
    expect(await scheduler().dueDates()).toEqual(['2026-03-10']);
  });

  it('start() catches up at once, and overlapping ticks never report a date twice', async () => {
    const { clock, published, scheduler } = setup();
    clock.at = Date.parse('2026-03-12T07:30:00Z');
    const s = scheduler();
    s.start();
    await Promise.all([s.catchUp(), s.catchUp()]);
    await s.stop();
    expect(published).toEqual(['2026-03-11']);
  });
});

describe('two reporters racing for the same date', () => {
  it('records and publishes it once: the expected revision lets only one append win', async () => {
    const { store, published, report } = setup();
    const other = new RunFunnelReport({
      store,
      readModels: new MemoryReadModels(),
      sessions: new MemorySessionStore(),
      renderer,
      publisher: { check: async () => {}, publish: async (r) => void published.push(`other ${r.recorded.date}`) },
      options: { timeZone: 'UTC', windowDays: 15, trendDays: 2 },
      newId: () => 'ffffffff-0000-4000-8000-000000000001',
    });
    const runs = await Promise.all([report.run('2026-03-10'), other.run('2026-03-10')]);
    expect(runs.map((r) => r.kind).sort()).toEqual(['already-reported', 'reported']);
    expect(published).toHaveLength(1);
    expect(await recordedDates(store)).toEqual(['2026-03-10']);
  });

  it('--force records and publishes the date again, marked forced', async () => {
    const { store, published, report } = setup();
    await report.run('2026-03-10');
    expect((await report.run('2026-03-10')).kind).toBe('already-reported');
    expect((await report.run('2026-03-10', { force: true })).kind).toBe('reported');
    expect(published).toEqual(['2026-03-10', '2026-03-10']);
    expect((await readRecordedReports(store)).reports.map((r) => r.forced)).toEqual([false, true]);
  });
});

describe('a reporter under the reporter lease', () => {
  const lease = (epoch: number, held: boolean) => ({
    grant: { role: 'reporter', epoch, holder: `r${epoch}` },
    held: () => held,
  });

  it('records with its lease epoch while the lease is held', async () => {
    const { store, published, report } = setup();
    expect((await report.run('2026-03-10', { lease: lease(3, true) })).kind).toBe('reported');
    expect(published).toEqual(['2026-03-10']);
    const [recorded] = await store.readStream(REPORT_STREAM);
    expect(recorded?.metadata).toMatchObject({ leaseEpoch: 3 });
  });

  it('records and publishes nothing once its lease could not be confirmed (a paused holder), saying why', async () => {
    const { store, published, report } = setup();
    await expect(report.run('2026-03-10', { lease: lease(3, false) })).rejects.toThrow(
      'recording the report for 2026-03-10 was refused: this worker holds the reporter lease at epoch 3',
    );
    expect(published).toEqual([]);
    expect(await recordedDates(store)).toEqual([]);
  });
});

describe('a report whose publishing was cut off', () => {
  /** a publisher that stops, as a killed reporter would, after the first `n` publishes */
  const failingAfter = (n: number) => {
    const calls: { date: string; resume: boolean }[] = [];
    const publisher: ReportPublisher = {
      check: async () => {},
      publish: async (r, _files, options) => {
        calls.push({ date: r.recorded.date, resume: options?.resume !== undefined });
        if (calls.length > n) throw new Error('killed while posting');
      },
    };
    return { calls, publisher };
  };
  const reportWith = (store: MemoryEventStore, publisher: ReportPublisher) =>
    new RunFunnelReport({
      store,
      readModels: new MemoryReadModels(),
      sessions: new MemorySessionStore(),
      renderer,
      publisher,
      options: { timeZone: 'UTC', windowDays: 15, trendDays: 2 },
      newId: () => crypto.randomUUID(),
    });

  it('is due again and finished (resumed, the record kept) by the next run; once marked, it is not', async () => {
    const { store, clock, scheduler } = setup();
    const cutOff = failingAfter(0);
    await expect(reportWith(store, cutOff.publisher).run('2026-03-11')).rejects.toThrow('killed while posting');
    clock.at = Date.parse('2026-03-12T07:30:00Z');
    expect(await scheduler().dueDates()).toEqual(['2026-03-11']);
    const next = failingAfter(1);
    expect((await reportWith(store, next.publisher).run('2026-03-11')).kind).toBe('resumed');
    expect(next.calls).toEqual([{ date: '2026-03-11', resume: true }]);
    expect(await recordedDates(store)).toEqual(['2026-03-11']);
    expect(await scheduler().dueDates()).toEqual([]);
    expect((await reportWith(store, next.publisher).run('2026-03-11')).kind).toBe('already-reported');
  });

  it('is finished only within the catch-up window, and records of earlier versions (no mark asked for) never', async () => {
    const { store, clock, scheduler } = setup();
    await expect(reportWith(store, failingAfter(0).publisher).run('2026-03-05')).rejects.toThrow();
    // 03-10 as an earlier version recorded it: no mark asked for, so never sent again
    const [cutOff] = (await readRecordedReports(store)).reports;
    await store.append(REPORT_STREAM, [
      { id: crypto.randomUUID(), type: REPORT_EVENT_TYPE, data: { ...cutOff, date: '2026-03-10' }, metadata: {} },
    ]);
    clock.at = Date.parse('2026-03-12T07:30:00Z');
    expect(await scheduler(3).dueDates()).toEqual(['2026-03-11']);
    expect(await scheduler(8).dueDates()).toEqual(['2026-03-05', '2026-03-11']);
  });

  it('a later (forced) record of the day supersedes one that was cut off', async () => {
    const { store } = setup();
    await expect(reportWith(store, failingAfter(0).publisher).run('2026-03-11')).rejects.toThrow();
    expect((await reportWith(store, failingAfter(1).publisher).run('2026-03-11', { force: true })).kind).toBe(
      'reported',
    );
    expect((await readRecordedReports(store)).unpublished).toEqual([]);
  });

  it('a holder whose lease lapses stops posting, and leaves the rest to the next holder', async () => {
    const { store } = setup();
    let held = true;
    const lease = { grant: { role: 'reporter', epoch: 4, holder: 'r4' }, held: () => held };
    const posts: string[] = [];
    const publisher: ReportPublisher = {
      check: async () => {},
      publish: async (r, _files, options) => {
        for (const stage of r.stages) {
          options?.beforePost?.();
          posts.push(stage.stage);
          held = false;
        }
      },
    };
    await expect(reportWith(store, publisher).run('2026-03-11', { lease })).rejects.toThrow(
      'posting the report for 2026-03-11 was refused',
    );
    expect(posts).toEqual(['signedUp']);
    expect((await readRecordedReports(store)).unpublished.map((u) => u.report.date)).toEqual(['2026-03-11']);
  });
});

describe('a report whose read side lags', () => {
  it('is not recorded while the users projection is behind the store, and is once it has caught up', async () => {
    const store = new MemoryEventStore();
    await store.append('journey-ada', [
      {
        id: '00000000-0000-4000-8000-0000000000a1',
        type: 'UserSignedUp',
        data: { email: 'ada@example.com' },
        metadata: { occurredAt: '2026-03-10T09:00:00.000Z' },
      },
    ]);
    let checkpoint: Position | null = null;
    const users: FollowedProjection = {
      name: 'users',
      streamPrefix: JOURNEY_STREAM_PREFIX,
      readCheckpoint: async () => checkpoint,
    };
    const { published, publisher } = recordingPublisher();
    const report = new RunFunnelReport({
      store,
      readModels: new MemoryReadModels(),
      sessions: new MemorySessionStore(),
      renderer,
      publisher,
      options: { timeZone: 'UTC', windowDays: 15, trendDays: 2 },
      newId: () => crypto.randomUUID(),
      projectionsPassed: (date) =>
        untilProjectionsPass(store, [users], `the report for ${date}`, { maxWaitMs: 30, pollMs: 5 }),
    });
    await expect(report.run('2026-03-10')).rejects.toThrow(
      'the report for 2026-03-10: the projections users (1 events behind) have not caught up',
    );
    expect(await recordedDates(store)).toEqual([]);
    expect(published).toEqual([]);
    checkpoint = await store.headPosition({ streamPrefix: JOURNEY_STREAM_PREFIX });
    expect((await report.run('2026-03-10')).kind).toBe('reported');
    expect(await recordedDates(store)).toEqual(['2026-03-10']);
  });
});
