import { Container } from 'inversify';
import { AlertDispatcher } from '../../application/alerts/alertDispatcher.ts';
import { AutomationDispatcher } from '../../application/automations/automationDispatcher.ts';
import { RawEventRecorder } from '../../application/explorer/rawEventRecorder.ts';
import { IngestEvents } from '../../application/ingest/ingestEvents.ts';
import { MapRawEvents } from '../../application/mapping/mapRawEvents.ts';
import { type AlertStore, AlertStoreToken } from '../../application/ports/alertStore/alertStore.ts';
import { type AutomationStore, AutomationStoreToken } from '../../application/ports/automationStore/automationStore.ts';
import { type Clock, ClockToken, systemClock } from '../../application/ports/clock.ts';
import { type EventStore, EventStoreToken } from '../../application/ports/eventStore/eventStore.ts';
import { type LeaseGrant, type Leases, LeasesToken } from '../../application/ports/lease/lease.ts';
import { LoggerToken } from '../../application/ports/logger.ts';
import { type RawEventIndex, RawEventIndexToken } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import { type RawLog, RawLogToken } from '../../application/ports/rawLog/rawLog.ts';
import {
  type ReadModelQueries,
  ReadModelQueriesToken,
  type ReadModelStore,
  ReadModelStoreToken,
} from '../../application/ports/readModels/readModels.ts';
import { type SessionStore, SessionStoreToken } from '../../application/ports/sessionStore/sessionStore.ts';
import { JourneyQueries } from '../../application/queries/journeyQueries.ts';
import type { CompiledAutomations } from '../../domain/automations/compileAutomations.ts';
import type { CompiledRules } from '../../domain/mapping/compileRules.ts';
import { alertChannelOf, alertRulesOf } from '../../infrastructure/config/alertsConfig.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { type Credentials, resolveCredentials } from '../../infrastructure/config/credentials.ts';
import { loadAutomations } from '../../infrastructure/config/loadAutomations.ts';
import { loadRules } from '../../infrastructure/config/loadRules.ts';
import { createLogger, type JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { ThreadHeaps } from '../../infrastructure/metrics/threadHeap.ts';
import { SlackNotifier } from '../../infrastructure/slack/slackNotifier.ts';
import { alertsProjection } from '../../projections/alerts/alertsProjection.ts';
import { automationsProjection } from '../../projections/automations/automationsProjection.ts';

import { journeyProjection } from '../projector/journeyProjections.ts';
import { LeasedProjection, type OpenProjectionRun, projectionRun } from '../projector/leasedProjection.ts';
import { Projector } from '../projector/projector.ts';
import { WorkerProjection } from '../projector/workerProjection.ts';
import { eventStoreFor, rawLogFor } from './adapters.ts';
import { automationRulesOf } from './automationRules.ts';
import { automationSendersOf } from './automationSenders.ts';
import { leaseHolder } from './leaseHolder.ts';
import { type ReadModels, readSideFor } from './readSideFor.ts';
import { splitReadModelQueries } from './splitReadModelQueries.ts';
import { WorkerRawEventIndexWriter } from './workerRawEventIndexWriter.ts';

export const ConfigToken = Symbol.for('journey.Config');
export const CredentialsToken = Symbol.for('journey.Credentials');
export const RulesToken = Symbol.for('journey.Rules');
export const AutomationsToken = Symbol.for('journey.Automations');
/** this process's worker threads, whose heaps /metrics reports */
export const ThreadHeapsToken = Symbol.for('journey.ThreadHeaps');
export const FencedAlertStoreToken = Symbol.for('journey.FencedAlertStore');
export const AlertDispatcherForToken = Symbol.for('journey.AlertDispatcherFor');
export const FencedAutomationStoreToken = Symbol.for('journey.FencedAutomationStore');
export const AutomationDispatcherForToken = Symbol.for('journey.AutomationDispatcherFor');
const UsersReadModelsToken = Symbol.for('journey.UsersReadModels');
const TimelineReadModelsToken = Symbol.for('journey.TimelineReadModels');

/** an alert store whose writes carry a role's lease epoch, for as long as the role holds that grant */
export type FencedAlertStore = (grant: LeaseGrant) => { readonly store: AlertStore; close(): Promise<void> };

/** an automation store whose writes carry the automator's lease epoch, for as long as it holds that grant */
export type FencedAutomationStore = (grant: LeaseGrant) => { readonly store: AutomationStore; close(): Promise<void> };

/** the automator's delivery worker (and timer tick) over a store */
export type AutomationDispatcherFor = (store: AutomationStore) => AutomationDispatcher;

/** the alerter over a store; `mayPost` is its lease's `held` */
export type AlertDispatcherFor = (store: AlertStore, mayPost: () => boolean) => AlertDispatcher;

/**
 * The composition root: which adapter serves each port. Bindings are lazy singletons, so a
 * process that runs only the collector never opens the read models. `adapters.ts` picks the
 * raw log and event store adapters from the configuration.
 */
export const createContainer = (config: JourneyConfig): Container => {
  const container = new Container({ defaultScope: 'Singleton' });
  const closeOnUnbind = <T extends { close(): Promise<void> }>(value: T) => value.close();

  container.bind<JourneyConfig>(ConfigToken).toConstantValue(config);
  container.bind<JourneyLogger>(LoggerToken).toDynamicValue(() => createLogger(config));
  container.bind<Clock>(ClockToken).toConstantValue(systemClock);
  container.bind<ThreadHeaps>(ThreadHeapsToken).toConstantValue(new ThreadHeaps());
  container.bind<Credentials>(CredentialsToken).toDynamicValue(() => resolveCredentials(config));
  container.bind<CompiledRules>(RulesToken).toDynamicValue(() => loadRules(config.JOURNEY_RULES));
  container
    .bind<CompiledAutomations>(AutomationsToken)
    .toDynamicValue(() => loadAutomations(config.JOURNEY_AUTOMATIONS, { natsUrl: config.NATS_URL }));

  container
    .bind<EventStore>(EventStoreToken)
    .toDynamicValue(() => eventStoreFor(config))
    .onDeactivation(closeOnUnbind);
  container
    .bind<RawLog>(RawLogToken)
    .toDynamicValue(() => rawLogFor(config))
    .onDeactivation(closeOnUnbind);
  // Each projection has its own store (see apps/projector/journeyProjections.ts); the
  // timeline's is written by a worker thread, and read here for queries only.
  const readSide = readSideFor(config, 'journey');
  container
    .bind<ReadModels>(UsersReadModelsToken)
    .toDynamicValue(() => readSide.readModels('users'))
    .onDeactivation(closeOnUnbind);
  container
    .bind<ReadModels>(TimelineReadModelsToken)
    .toDynamicValue(() => readSide.readModels('timeline'))
    .onDeactivation(closeOnUnbind);
  container.bind<ReadModelStore>(ReadModelStoreToken).toService(UsersReadModelsToken);
  container
    .bind<ReadModelQueries>(ReadModelQueriesToken)
    .toDynamicValue((ctx) => splitReadModelQueries(ctx.get(TimelineReadModelsToken), ctx.get(UsersReadModelsToken)));

  container
    .bind<AlertStore>(AlertStoreToken)
    .toDynamicValue(() => readSide.alertStore())
    .onDeactivation(closeOnUnbind);
  container
    .bind<Leases>(LeasesToken)
    .toDynamicValue(() => readSide.leases())
    .onDeactivation(closeOnUnbind);
  container.bind<FencedAlertStore>(FencedAlertStoreToken).toDynamicValue((ctx) =>
    config.JOURNEY_DATABASE_URL === undefined
      ? // SQLite: the process's one store; nothing outside this process can hold the role
        () => ({ store: ctx.get<AlertStore>(AlertStoreToken), close: async () => undefined })
      : (grant) => {
          const store = readSide.alertStore(grant);
          return { store, close: () => store.close() };
        },
  );
  container
    .bind<AutomationStore>(AutomationStoreToken)
    .toDynamicValue(() => readSide.automationStore())
    .onDeactivation(closeOnUnbind);
  container.bind<FencedAutomationStore>(FencedAutomationStoreToken).toDynamicValue((ctx) =>
    config.JOURNEY_DATABASE_URL === undefined
      ? // SQLite: the process's one store; nothing outside this process can hold the role
        () => ({ store: ctx.get<AutomationStore>(AutomationStoreToken), close: async () => undefined })
      : (grant) => {
          const store = readSide.automationStore(grant);
          return { store, close: () => store.close() };
        },
  );
  container.bind<AutomationDispatcherFor>(AutomationDispatcherForToken).toDynamicValue(
    (ctx) => (store) =>
      new AutomationDispatcher(store, ctx.get(AutomationsToken), automationSendersOf(config), ctx.get(ClockToken), {
        rules: automationRulesOf(config),
        maxAttempts: config.JOURNEY_AUTOMATION_MAX_ATTEMPTS,
        pollMs: config.JOURNEY_SQLITE_POLL_MS,
        logger: ctx.get(LoggerToken),
      }),
  );
  container
    .bind<SessionStore>(SessionStoreToken)
    .toDynamicValue(() => readSide.sessionStore())
    .onDeactivation(closeOnUnbind);
  container
    .bind<RawEventIndex>(RawEventIndexToken)
    .toDynamicValue(() => readSide.rawEventIndex())
    .onDeactivation(closeOnUnbind);
  container
    .bind(WorkerRawEventIndexWriter)
    .toDynamicValue((ctx) => new WorkerRawEventIndexWriter(config, ctx.get(LoggerToken), ctx.get(ThreadHeapsToken)))
    .onDeactivation((writer) => writer.stop());
  // the mapper's outcomes are written from a worker thread: the index's inserts stay off the mapper's thread
  container
    .bind(RawEventRecorder)
    .toDynamicValue(
      (ctx) => new RawEventRecorder(ctx.get(WorkerRawEventIndexWriter), { logger: ctx.get(LoggerToken) }),
    );
  container.bind<AlertDispatcherFor>(AlertDispatcherForToken).toDynamicValue(
    (ctx) => (store, mayPost) =>
      new AlertDispatcher(
        store,
        config.SLACK_BOT_TOKEN === undefined ? undefined : slackNotifierOf(config, config.SLACK_BOT_TOKEN),
        ctx.get(ClockToken),
        {
          channelFor: alertChannelOf(config),
          pollMs: config.JOURNEY_SQLITE_POLL_MS,
          logger: ctx.get(LoggerToken),
          mayPost,
        },
      ),
  );

  container
    .bind(IngestEvents)
    .toDynamicValue((ctx) => new IngestEvents(ctx.get(RawLogToken), ctx.get(ClockToken), () => crypto.randomUUID()));
  container
    .bind(MapRawEvents)
    .toDynamicValue(
      (ctx) =>
        new MapRawEvents(
          ctx.get(EventStoreToken),
          ctx.get(RawLogToken),
          ctx.get(RulesToken),
          ctx.get(RawEventRecorder).recordMapped,
        ),
    );
  container.bind(JourneyQueries).toDynamicValue(
    (ctx) =>
      new JourneyQueries(ctx.get(ReadModelQueriesToken), config.JOURNEY_ACTIVE_WINDOW_DAYS, {
        sessions: ctx.get<SessionStore>(SessionStoreToken),
      }),
  );
  container.bind(Projector).toDynamicValue((ctx) => {
    const eventStore = ctx.get<EventStore>(EventStoreToken);
    const logger = ctx.get<JourneyLogger>(LoggerToken);
    const clock = ctx.get<Clock>(ClockToken);
    const sqlite = config.JOURNEY_DATABASE_URL === undefined;
    /** SQLite: the process's one store for every grant (nothing outside it can hold the role); PostgreSQL: one fenced by the grant */
    const storeFor =
      <S extends { close(): Promise<void> }>(own: () => S, fenced: (grant: LeaseGrant) => S) =>
      (grant: LeaseGrant) => {
        if (sqlite) return { store: own(), close: async () => undefined };
        const store = fenced(grant);
        return { store, close: () => store.close() };
      };
    const leased = (name: string, streamPrefix: string, open: OpenProjectionRun) =>
      new LeasedProjection(
        {
          name,
          streamPrefix,
          leases: ctx.get<Leases>(LeasesToken),
          clock,
          holder: leaseHolder('projector'),
          ttlMs: config.JOURNEY_LEASE_TTL_MS,
          logger,
        },
        open,
      );
    const users = journeyProjection(config, 'users');
    const alerts = alertsProjection(alertRulesOf(config), clock);
    const automations = ctx.get<CompiledAutomations>(AutomationsToken);
    return new Projector([
      leased(
        users.name,
        users.streamPrefix,
        projectionRun(
          eventStore,
          storeFor(
            () => ctx.get<ReadModelStore>(ReadModelStoreToken),
            (grant) => readSide.readModels('users', grant),
          ),
          users,
          { logger },
        ),
      ),
      // the timeline's worker thread takes its lease itself
      new WorkerProjection(config, 'timeline', logger, ctx.get(ThreadHeapsToken)),
      // in this thread, beside the alerter: a committed outbox row wakes it in-process
      leased(
        alerts.name,
        alerts.streamPrefix,
        projectionRun(
          eventStore,
          storeFor(
            () => ctx.get<AlertStore>(AlertStoreToken),
            (grant) => readSide.alertStore(grant),
          ),
          alerts,
          { logger, batchSize: 500 },
        ),
      ),
      ...(automations.automations.length === 0
        ? []
        : [
            ((projection) =>
              leased(
                projection.name,
                projection.streamPrefix,
                projectionRun(
                  eventStore,
                  storeFor(
                    () => ctx.get<AutomationStore>(AutomationStoreToken),
                    (grant) => readSide.automationStore(grant),
                  ),
                  projection,
                  { logger, batchSize: 500 },
                ),
              ))(automationsProjection(automations, automationRulesOf(config), clock)),
          ]),
      // its own thread: a user's activity is several statements per raw event, the most of any projection
      new WorkerProjection(config, 'sessions', logger, ctx.get(ThreadHeapsToken)),
    ]);
  });
  return container;
};

export const slackNotifierOf = (config: JourneyConfig, token: string): SlackNotifier =>
  new SlackNotifier({
    token,
    ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
    publicUrl: config.JOURNEY_PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`,
  });
