import { BroadcastChannel } from 'node:worker_threads';
import type { Container } from 'inversify';
import type { FollowedProjection } from '../../application/ops/projectionLag.ts';
import { checkReadiness, type Readiness } from '../../application/ops/readiness.ts';
import { type AlertStore, AlertStoreToken } from '../../application/ports/alertStore/alertStore.ts';
import { type AutomationStore, AutomationStoreToken } from '../../application/ports/automationStore/automationStore.ts';
import { type Clock, ClockToken } from '../../application/ports/clock.ts';
import { type EventStore, EventStoreToken } from '../../application/ports/eventStore/eventStore.ts';
import { type RawLog, RawLogToken } from '../../application/ports/rawLog/rawLog.ts';
import { type ReadModelStore, ReadModelStoreToken } from '../../application/ports/readModels/readModels.ts';
import { type SessionStore, SessionStoreToken } from '../../application/ports/sessionStore/sessionStore.ts';
import { lastReportedAsOf } from '../../application/reports/lastReportedAsOf.ts';
import type { ProjectionBehind } from '../../application/reports/untilProjectionsPass.ts';
import { JOURNEY_STREAM_PREFIX } from '../../domain/journey/journeyEvent.ts';
import { ACTIVITY_STREAM_PREFIX } from '../../domain/sessions/activity.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { countingRawLog } from '../../infrastructure/metrics/countingRawLog.ts';
import { JourneyMetrics } from '../../infrastructure/metrics/journeyMetrics.ts';
import type { ThreadHeaps } from '../../infrastructure/metrics/threadHeap.ts';
import { REPORT_WAIT_CHANNEL } from '../reporter/reportWaitChannel.ts';
import type { AppName } from './appNames.ts';

/** the timeline's read models, bound by container.ts under this (global) symbol */
const TimelineReadModelsToken = Symbol.for('journey.TimelineReadModels');
const ThreadHeapsToken = Symbol.for('journey.ThreadHeaps');

/** how long one readiness check may take before it counts as failed */
const READINESS_TIMEOUT_MS = 2_000;

export type JourneyOps = {
  readonly metrics: JourneyMetrics;
  readiness(): Promise<Readiness>;
};

/**
 * Metrics and readiness of one Journey process, from the apps it runs: each process reports what its
 * apps own, so a split deployment exports each gauge once. Call before anything resolves the raw log,
 * so the counting wrapper is the one in use.
 */
export const journeyOps = (config: JourneyConfig, container: Container, apps: readonly AppName[]): JourneyOps => {
  const metrics = new JourneyMetrics();
  container.onActivation<RawLog>(RawLogToken, (_ctx, rawLog) => countingRawLog(rawLog, metrics));
  const runs = (...names: AppName[]) => names.some((n) => apps.includes(n));
  const clock = container.get<Clock>(ClockToken);
  const now = () => clock.now();

  // the reporter runs in a worker thread: it tells which projections it waits for over a BroadcastChannel
  const reportWaitOf = () => {
    let behind: readonly ProjectionBehind[] = [];
    const news = new BroadcastChannel(REPORT_WAIT_CHANNEL);
    news.unref();
    news.onmessage = (message) => {
      behind = (message as { readonly data: readonly ProjectionBehind[] }).data;
    };
    return () => behind;
  };

  const projections = (): FollowedProjection[] => {
    const checkpointOf = (
      store: Pick<ReadModelStore, 'readCheckpoint'>,
      name: string,
      streamPrefix = JOURNEY_STREAM_PREFIX,
    ): FollowedProjection => ({
      name,
      streamPrefix,
      readCheckpoint: () => store.readCheckpoint(name),
    });
    return [
      checkpointOf(container.get<ReadModelStore>(ReadModelStoreToken), 'users'),
      checkpointOf(container.get<ReadModelStore>(TimelineReadModelsToken), 'timeline'),
      checkpointOf(container.get<AlertStore>(AlertStoreToken), 'alerts'),
      checkpointOf(container.get<SessionStore>(SessionStoreToken), 'sessions', ACTIVITY_STREAM_PREFIX),
    ];
  };
  // resolved on first use, so a collector-only process never opens the read models
  let served: FollowedProjection[] | undefined;
  const servedProjections = () => {
    served ??= projections();
    return served;
  };
  const lazy = <T>(token: symbol) => {
    let value: T | undefined;
    return () => {
      value ??= container.get<T>(token);
      return value;
    };
  };
  const rawLog = lazy<RawLog>(RawLogToken);
  const eventStore = lazy<EventStore>(EventStoreToken);
  const alerts = lazy<AlertStore>(AlertStoreToken);
  const automations = lazy<AutomationStore>(AutomationStoreToken);

  const heaps = container.get<ThreadHeaps>(ThreadHeapsToken);
  metrics.observe({
    now,
    threads: () => heaps.read(),
    ...(runs('mapper') ? { rawLog: { pending: (group: string) => rawLog().pending(group) } } : {}),
    ...(runs('projector')
      ? {
          eventStore: { readAll: (options) => eventStore().readAll(options) },
          projections: servedProjections,
        }
      : {}),
    ...(runs('alerter') ? { alerts: { countAlertsByStatus: () => alerts().countAlertsByStatus() } } : {}),
    ...(runs('reporter')
      ? { reports: { lastReportedAsOf: () => lastReportedAsOf(eventStore()) }, reportWait: reportWaitOf() }
      : {}),
    ...(runs('automator') && config.JOURNEY_AUTOMATIONS !== undefined
      ? { automations: { countDeliveries: () => automations().countDeliveries() } }
      : {}),
  });

  return {
    metrics,
    readiness: () =>
      checkReadiness({
        ...(runs('collector', 'mapper') ? { rawLog: rawLog() } : {}),
        ...(runs('mapper', 'projector', 'api') ? { eventStore: eventStore() } : {}),
        ...(runs('api') ? { projections: servedProjections() } : {}),
        maxLagEvents: config.JOURNEY_READY_MAX_LAG_EVENTS,
        timeoutMs: READINESS_TIMEOUT_MS,
        now,
      }),
  };
};
