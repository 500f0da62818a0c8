import { join } from 'node:path';
import { BroadcastChannel } from 'node:worker_threads';
import type { Container } from 'inversify';
import { LeasedRole } from '../../application/leases/leasedRole.ts';
import type { FollowedProjection } from '../../application/ops/projectionLag.ts';
import { type Clock, ClockToken } from '../../application/ports/clock.ts';
import { type EventStore, EventStoreToken } from '../../application/ports/eventStore/eventStore.ts';
import type { ReportPublisher } from '../../application/ports/funnelReport.ts';
import { type Leases, LeasesToken } from '../../application/ports/lease/lease.ts';
import { LoggerToken } from '../../application/ports/logger.ts';
import {
  type ReadModelQueries,
  ReadModelQueriesToken,
  type ReadModelStore,
  ReadModelStoreToken,
} from '../../application/ports/readModels/readModels.ts';
import { type SessionStore, SessionStoreToken } from '../../application/ports/sessionStore/sessionStore.ts';
import { ReportScheduler } from '../../application/reports/reportScheduler.ts';
import { RunFunnelReport } from '../../application/reports/runFunnelReport.ts';
import { type ProjectionBehind, untilProjectionsPass } from '../../application/reports/untilProjectionsPass.ts';
import { JOURNEY_STREAM_PREFIX } from '../../domain/journey/journeyEvent.ts';
import { ACTIVITY_STREAM_PREFIX } from '../../domain/sessions/activity.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { PdfReportRenderer } from '../../infrastructure/pdf/pdfReportRenderer.ts';
import { cronSchedule } from '../../infrastructure/schedule/cronSchedule.ts';
import { DryRunReportPublisher } from '../../infrastructure/slack/dryRunReportPublisher.ts';
import { SlackReportPublisher } from '../../infrastructure/slack/slackReportPublisher.ts';
import { whenReady } from '../journey/adapters.ts';
import { leaseHolder } from '../journey/leaseHolder.ts';
import { REPORT_WAIT_CHANNEL } from './reportWaitChannel.ts';

/** Slack when a token is set; otherwise the PDFs and payloads go to JOURNEY_DATA_DIR/reports. */
export const reportPublisherOf = (config: JourneyConfig): ReportPublisher =>
  config.SLACK_BOT_TOKEN === undefined
    ? new DryRunReportPublisher(join(config.JOURNEY_DATA_DIR, 'reports'), config.SLACK_REPORT_CHANNEL)
    : new SlackReportPublisher({
        token: config.SLACK_BOT_TOKEN,
        ...(config.SLACK_API_URL ? { apiUrl: config.SLACK_API_URL } : {}),
        channel: config.SLACK_REPORT_CHANNEL,
      });

/** how long a report waits for the projections it reads before it gives up, records nothing and is tried again */
const REPORTER_MAX_WAIT_MS = 30 * 60_000;
/** `journey report run`, by hand: a projector that is not running is said at once, not in half an hour */
export const COMMAND_MAX_WAIT_MS = 20_000;

/** the read models a report reads (profiles and stages; sessions), each with its checkpoint and streams */
const reportProjections = (container: Container): FollowedProjection[] => [
  {
    name: 'users',
    streamPrefix: JOURNEY_STREAM_PREFIX,
    readCheckpoint: () => container.get<ReadModelStore>(ReadModelStoreToken).readCheckpoint('users'),
  },
  {
    name: 'sessions',
    streamPrefix: ACTIVITY_STREAM_PREFIX,
    readCheckpoint: () => container.get<SessionStore>(SessionStoreToken).readCheckpoint('sessions'),
  },
];

/**
 * The report use case on this configuration's event store and read models; `keepPdfsIn`: `report run
 * --out`. Before a date is rendered the users and sessions projections must have applied what was
 * stored before the run (`onWait`: who is still behind, at each check).
 */
export const funnelReportOf = (
  config: JourneyConfig,
  container: Container,
  publisher: ReportPublisher,
  keepPdfsIn?: string,
  wait: {
    readonly maxWaitMs: number;
    readonly onWait?: (behind: readonly ProjectionBehind[]) => void;
    /** false once the app stops: a wait must not hold up its shutdown */
    readonly running?: () => boolean;
  } = {
    maxWaitMs: COMMAND_MAX_WAIT_MS,
  },
) =>
  new RunFunnelReport({
    store: container.get<EventStore>(EventStoreToken),
    readModels: container.get<ReadModelQueries>(ReadModelQueriesToken),
    // opened on first use, not here: a sessions store that cannot be opened leaves out only its figures
    sessions: {
      sessionTotalsOf: (userIds, range) =>
        container.get<SessionStore>(SessionStoreToken).sessionTotalsOf(userIds, range),
    },
    logger: container.get<JourneyLogger>(LoggerToken),
    renderer: new PdfReportRenderer(keepPdfsIn === undefined ? {} : { keepIn: keepPdfsIn }),
    publisher,
    options: { timeZone: config.JOURNEY_REPORT_TZ, windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS },
    newId: () => crypto.randomUUID(),
    projectionsPassed: (date, stillWanted) =>
      untilProjectionsPass(
        container.get<EventStore>(EventStoreToken),
        reportProjections(container),
        `the report for ${date}`,
        {
          maxWaitMs: wait.maxWaitMs,
          logger: container.get<JourneyLogger>(LoggerToken),
          ...(wait.onWait ? { onCheck: wait.onWait } : {}),
          stillWanted: () => stillWanted() && (wait.running?.() ?? true),
        },
      ),
  });

/** The reporter app: the daily report on JOURNEY_REPORT_CRON, missed days caught up on start. Returns its stop. */
export const startReporter = async (config: JourneyConfig, container: Container): Promise<() => Promise<void>> => {
  const logger = container.get<JourneyLogger>(LoggerToken);
  await whenReady(container.get(EventStoreToken));
  await whenReady(container.get(ReadModelStoreToken));
  if (config.SLACK_BOT_TOKEN === undefined) {
    logger.warn(
      { dir: join(config.JOURNEY_DATA_DIR, 'reports') },
      'Slack is not configured (SLACK_BOT_TOKEN unset): daily reports are recorded and written as files, not posted',
    );
  }
  const waitNews = new BroadcastChannel(REPORT_WAIT_CHANNEL);
  let running = true;
  const report = funnelReportOf(config, container, reportPublisherOf(config), undefined, {
    maxWaitMs: REPORTER_MAX_WAIT_MS,
    onWait: (behind) => waitNews.postMessage(behind),
    running: () => running,
  });
  const clock = container.get<Clock>(ClockToken);
  // one reporter acts at a time (docs/operations/distributed.md); the others stand by
  const role = new LeasedRole(
    container.get<Leases>(LeasesToken),
    clock,
    async (lease) => {
      const scheduler = new ReportScheduler(
        {
          store: container.get<EventStore>(EventStoreToken),
          schedule: cronSchedule(config.JOURNEY_REPORT_CRON, config.JOURNEY_REPORT_TZ),
          clock,
          report: (date) => report.run(date, { lease }),
        },
        { timeZone: config.JOURNEY_REPORT_TZ, catchUpDays: config.JOURNEY_REPORT_CATCHUP_DAYS, logger },
      );
      scheduler.start();
      return () => scheduler.stop();
    },
    { role: 'reporter', holder: leaseHolder('reporter'), ttlMs: config.JOURNEY_LEASE_TTL_MS, logger },
  );
  role.start();
  logger.info(
    { cron: config.JOURNEY_REPORT_CRON, timeZone: config.JOURNEY_REPORT_TZ, channel: config.SLACK_REPORT_CHANNEL },
    'the daily funnel report is scheduled',
  );
  return async () => {
    running = false;
    await role.stop();
    waitNews.postMessage([]);
    waitNews.close();
  };
};
