import { LoggerToken } from '../../application/ports/logger.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { serveAppInWorker } from '../journey/serveAppInWorker.ts';
import { runAlerter } from './runAlerter.ts';

/**
 * The alerter in its own worker thread: Slack round trips and the outbox's delivery writes
 * never wait behind the collector's and mapper's commits on the main thread, and a committed
 * outbox row wakes it across threads (SqliteAlertStore's broadcast channel).
 */
await serveAppInWorker('alerterWorker.ts', (config, container) =>
  runAlerter(config, container, container.get<JourneyLogger>(LoggerToken)),
);
