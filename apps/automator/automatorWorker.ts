import { LoggerToken } from '../../application/ports/logger.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { serveAppInWorker } from '../journey/serveAppInWorker.ts';
import { runAutomator } from './runAutomator.ts';

/**
 * The automator in its own worker thread: webhook round trips never wait behind the collector's
 * and mapper's commits, and a committed outbox row wakes it across threads
 * (the store's onEnqueued: SQLite's broadcast channel, or PostgreSQL's LISTEN/NOTIFY).
 */
await serveAppInWorker('automatorWorker.ts', (config, container) =>
  runAutomator(config, container, container.get<JourneyLogger>(LoggerToken)),
);
