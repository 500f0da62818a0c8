import { describe, expect, it } from 'vitest';
import { JourneyMetrics } from './journeyMetrics.ts';

const line = (text: string, prefix: string) => text.split('\n').find((l) => l.startsWith(prefix));

describe('JourneyMetrics', () => {
  it('leaves a gauge empty and counts the failure when its store fails, instead of failing the scrape', async () => {
    const metrics = new JourneyMetrics();
    metrics.observe({
      now: Date.now,
      rawLog: {
        pending: async () => {
          throw new Error('NATS_URL=nats://x:4222 is not reachable');
        },
      },
      alerts: { countAlertsByStatus: async () => ({ pending: 2, posted: 5, logged: 0, failed: 1, skipped: 0 }) },
    });
    await metrics.text();
    // the error counter is written out beside the gauges, so a failure shows from the next scrape
    const text = await metrics.text();
    expect(line(text, 'journey_mapper_lag_events{')).toBeUndefined();
    expect(line(text, 'journey_metrics_source_errors_total{gauge="journey_mapper_lag_events"}')).toMatch(/ 1$/);
    expect(line(text, 'journey_alerts{status="posted"}')).toBe('journey_alerts{status="posted"} 5');
    expect(line(text, 'journey_alerts{status="failed"}')).toBe('journey_alerts{status="failed"} 1');
  });

  it('exports the heap of each thread', async () => {
    const metrics = new JourneyMetrics();
    metrics.observe({
      now: Date.now,
      threads: () => [
        { thread: 'main', usedBytes: 30e6, totalBytes: 40e6 },
        { thread: 'alerter', usedBytes: 10e6, totalBytes: 12e6 },
      ],
    });
    const text = await metrics.text();
    expect(line(text, 'journey_thread_heap_used_bytes{thread="alerter"}')).toMatch(/ 10000000$/);
    expect(line(text, 'journey_thread_heap_total_bytes{thread="main"}')).toMatch(/ 40000000$/);
  });

  it('exports automation deliveries by automation and outcome', async () => {
    const metrics = new JourneyMetrics();
    metrics.observe({
      now: Date.now,
      automations: {
        countDeliveries: async () => [
          { automationId: 'welcome-email', status: 'delivered', count: 12 },
          { automationId: 'welcome-email', status: 'failed', count: 2 },
        ],
      },
    });
    const text = await metrics.text();
    expect(line(text, 'journey_automation_deliveries{automation="welcome-email",status="delivered"}')).toMatch(/ 12$/);
    expect(line(text, 'journey_automation_deliveries{automation="welcome-email",status="failed"}')).toMatch(/ 2$/);
  });

  it("exports the latest report's day end in seconds, and no sample before the first report", async () => {
    let asOf: number | undefined;
    const metrics = new JourneyMetrics();
    metrics.observe({ now: Date.now, reports: { lastReportedAsOf: async () => asOf } });
    expect(line(await metrics.text(), 'journey_report_last_as_of_seconds{')).toBeUndefined();
    asOf = Date.parse('2026-03-10T23:59:59.999Z');
    expect(line(await metrics.text(), 'journey_report_last_as_of_seconds{')).toBe(
      'journey_report_last_as_of_seconds{report="users-by-activation-stage"} 1773187199.999',
    );
  });

  it('exports the events each projection still owes a report held back, and no sample while none is', async () => {
    const metrics = new JourneyMetrics();
    let behind = [{ projection: 'users', events: 1200, atLeast: false }];
    metrics.observe({ now: Date.now, reportWait: () => behind });
    expect(line(await metrics.text(), 'journey_report_waiting_events{')).toBe(
      'journey_report_waiting_events{projection="users"} 1200',
    );
    behind = [];
    expect(line(await metrics.text(), 'journey_report_waiting_events{')).toBeUndefined();
  });

  it('names only counters *_total, as Prometheus expects', async () => {
    const metrics = await new JourneyMetrics().registry.getMetricsAsJSON();
    const misnamed = metrics.filter((m) => m.name.endsWith('_total') && String(m.type) !== 'counter');
    expect(misnamed.map((m) => m.name)).toEqual([]);
    expect(metrics.map((m) => m.name)).toContain('journey_nodejs_active_handles');
  });

  it('exports no gauge sample for a source this process does not have', async () => {
    const text = await new JourneyMetrics().text();
    expect(line(text, 'journey_mapper_lag_events{')).toBeUndefined();
    expect(line(text, 'journey_projection_lag_events{')).toBeUndefined();
    expect(line(text, 'journey_alerts{')).toBeUndefined();
    expect(line(text, 'journey_automation_deliveries{')).toBeUndefined();
    expect(line(text, 'journey_report_last_as_of_seconds{')).toBeUndefined();
    expect(line(text, 'journey_events_rejected_total{stage="collector"}')).toBe(
      'journey_events_rejected_total{stage="collector"} 0',
    );
  });
});
