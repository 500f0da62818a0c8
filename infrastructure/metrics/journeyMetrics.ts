import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { type FollowedProjection, projectionLag } from '../../application/ops/projectionLag.ts';
import { type AlertStatus, alertStatuses } from '../../application/ports/alertStore/alertStore.ts';
import type { DeliveryCount } from '../../application/ports/automationStore/automationStore.ts';
import type { EventStore } from '../../application/ports/eventStore/eventStore.ts';
import type { RawLog } from '../../application/ports/rawLog/rawLog.ts';
import type { ProjectionBehind } from '../../application/reports/untilProjectionsPass.ts';
import type { ThreadHeap } from './threadHeap.ts';

/** Where the gauges read from at scrape time; a part left out is not exported by this process. */
export type MetricSources = {
  /** mapper lag: raw events the mapper group has not acknowledged */
  readonly rawLog?: Pick<RawLog, 'pending'>;
  readonly eventStore?: Pick<EventStore, 'readAll'>;
  /** called at scrape time, so the read models are opened only when first scraped */
  readonly projections?: () => readonly FollowedProjection[];
  readonly alerts?: { countAlertsByStatus(): Promise<Record<AlertStatus, number>> };
  readonly automations?: { countDeliveries(): Promise<DeliveryCount[]> };
  /** the end (ms since the epoch) of the latest day a daily report was recorded for */
  readonly reports?: { lastReportedAsOf(): Promise<number | undefined> };
  /** the projections the reporter waits for before recording a report, and how far behind each is */
  readonly reportWait?: () => readonly ProjectionBehind[];
  /** the V8 heap of each thread of this process (main and workers) */
  readonly threads?: () => readonly ThreadHeap[];
  readonly now: () => number;
};

/** projection lag is counted up to this many events per scrape (see projectionLag) */
export const LAG_COUNT_CAP = 1_000;

/**
 * One process's Prometheus metrics, on a registry of its own (several Journeys in one test
 * process must not share counters). Counters move where things happen (collector, mapper,
 * HTTP server); gauges read the stores when scraped, so they are right in every process.
 */
export class JourneyMetrics {
  readonly registry = new Registry();
  readonly eventsIngested: Counter;
  readonly eventsDuplicate: Counter;
  readonly eventsRejected: Counter<'stage'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  private sources: MetricSources = { now: Date.now };

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'journey_' });
    // prom-client names three gauges `_total`, a suffix Prometheus keeps for counters (`promtool
    // check metrics` refuses them); the same counts by type stay (journey_nodejs_active_handles …)
    for (const total of ['handles', 'requests', 'resources'])
      this.registry.removeSingleMetric(`journey_nodejs_active_${total}_total`);
    this.eventsIngested = new Counter({
      name: 'journey_events_ingested_total',
      help: 'raw events durably stored in the raw log (duplicates not counted)',
      registers,
    });
    this.eventsDuplicate = new Counter({
      name: 'journey_events_duplicate_total',
      help: 'raw events refused as duplicates of a messageId already stored',
      registers,
    });
    this.eventsRejected = new Counter({
      name: 'journey_events_rejected_total',
      help: 'raw events dead-lettered with a reason, by the stage that refused them (collector: invalid, mapper: unmappable)',
      labelNames: ['stage'],
      registers,
    });
    for (const stage of ['collector', 'mapper']) this.eventsRejected.inc({ stage }, 0);
    this.httpDuration = new Histogram({
      name: 'journey_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.defineGauges(registers);
  }

  /** what the gauges read; set once the process knows which apps it runs */
  observe(sources: MetricSources): void {
    this.sources = sources;
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private defineGauges(registers: Registry[]): void {
    const self = this;
    const failures = new Counter({
      name: 'journey_metrics_source_errors_total',
      help: 'scrapes in which a gauge could not read its store (the gauge then has no sample); shows from the next scrape',
      labelNames: ['gauge'],
      registers,
    });
    /** a store that fails leaves its gauge empty instead of failing the whole scrape */
    const safely = async (gauge: Gauge<string>, read: () => Promise<void>): Promise<void> => {
      gauge.reset();
      try {
        await read();
      } catch {
        gauge.reset();
        failures.inc({ gauge: (gauge as unknown as { name: string }).name });
      }
    };
    new Gauge({
      name: 'journey_mapper_lag_events',
      help: 'raw events published and not yet acknowledged by the consumer group (the mapper)',
      // a label, so that a process without a mapper exports no sample rather than a false 0
      labelNames: ['group'],
      registers,
      async collect() {
        await safely(this, async () => {
          const rawLog = self.sources.rawLog;
          if (rawLog) this.set({ group: 'mapper' }, await rawLog.pending('mapper'));
        });
      },
    });
    new Gauge({
      name: 'journey_projection_lag_events',
      help: `journey events in the store that a projection has not applied (counted up to ${LAG_COUNT_CAP})`,
      labelNames: ['projection'],
      registers,
      async collect() {
        await safely(this, async () => {
          for (const lag of await self.lags()) this.set({ projection: lag.projection }, lag.events);
        });
      },
    });
    new Gauge({
      name: 'journey_projection_lag_seconds',
      help: 'age of the oldest event in the store that a projection has not applied; 0 when caught up',
      labelNames: ['projection'],
      registers,
      async collect() {
        await safely(this, async () => {
          for (const lag of await self.lags()) this.set({ projection: lag.projection }, lag.seconds);
        });
      },
    });
    new Gauge({
      name: 'journey_alerts',
      help: 'alerts in the outbox by delivery state',
      labelNames: ['status'],
      registers,
      async collect() {
        await safely(this, async () => {
          const alerts = self.sources.alerts;
          if (!alerts) return;
          const counts = await alerts.countAlertsByStatus();
          for (const status of alertStatuses) this.set({ status }, counts[status]);
        });
      },
    });
    // the default nodejs_heap_* metrics are the main thread's alone; workers have heaps of their own
    new Gauge({
      name: 'journey_thread_heap_used_bytes',
      help: 'V8 heap in use per thread of this process (main, and each worker thread as last reported, at most 1 s old)',
      labelNames: ['thread'],
      registers,
      collect() {
        this.reset();
        for (const t of self.sources.threads?.() ?? []) this.set({ thread: t.thread }, t.usedBytes);
      },
    });
    new Gauge({
      name: 'journey_thread_heap_total_bytes',
      help: 'V8 heap allocated per thread of this process (main, and each worker thread as last reported)',
      labelNames: ['thread'],
      registers,
      collect() {
        this.reset();
        for (const t of self.sources.threads?.() ?? []) this.set({ thread: t.thread }, t.totalBytes);
      },
    });
    new Gauge({
      name: 'journey_report_last_as_of_seconds',
      help: 'end of the latest day the daily report was recorded for (unix time); no sample before the first report',
      // a label, so that no report yet (or no reporter here) exports no sample rather than 1970
      labelNames: ['report'],
      registers,
      async collect() {
        await safely(this, async () => {
          const asOf = await self.sources.reports?.lastReportedAsOf();
          if (asOf !== undefined) this.set({ report: 'users-by-activation-stage' }, asOf / 1000);
        });
      },
    });
    new Gauge({
      name: 'journey_report_waiting_events',
      help: 'events a projection must still apply before the reporter records the report it is holding back; no sample while it waits for none',
      labelNames: ['projection'],
      registers,
      collect() {
        this.reset();
        for (const b of self.sources.reportWait?.() ?? []) this.set({ projection: b.projection }, b.events);
      },
    });
    new Gauge({
      name: 'journey_automation_deliveries',
      help: 'automation deliveries by automation and outcome (pending, delivered, failed)',
      labelNames: ['automation', 'status'],
      registers,
      async collect() {
        await safely(this, async () => {
          const automations = self.sources.automations;
          if (!automations) return;
          for (const c of await automations.countDeliveries())
            this.set({ automation: c.automationId, status: c.status }, c.count);
        });
      },
    });
  }

  // both lag gauges of one scrape share one read per projection
  private lagsOfScrape: Promise<Awaited<ReturnType<typeof projectionLag>>[]> | undefined;
  private lags(): Promise<Awaited<ReturnType<typeof projectionLag>>[]> {
    if (!this.lagsOfScrape) {
      const { eventStore, projections = () => [], now } = this.sources;
      const at = now();
      this.lagsOfScrape = eventStore
        ? Promise.all(projections().map((p) => projectionLag(eventStore, p, LAG_COUNT_CAP, at)))
        : Promise.resolve([]);
      void this.lagsOfScrape
        .finally(() => {
          this.lagsOfScrape = undefined;
        })
        .catch(() => {});
    }
    return this.lagsOfScrape;
  }
}
