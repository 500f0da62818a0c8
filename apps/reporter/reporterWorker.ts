import { LoggerToken } from '../../application/ports/logger.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { serveAppInWorker } from '../journey/serveAppInWorker.ts';
import { startReporter } from './reporter.ts';

/**
 * The reporter in its own worker thread, with its own connections: loading pdfkit and rendering and
 * uploading a day's PDFs would otherwise hold the main thread, and every collector request behind it.
 */
await serveAppInWorker('reporterWorker.ts', async (config, container) => {
  const stop = await startReporter(config, container);
  container.get<JourneyLogger>(LoggerToken).debug({}, 'the reporter runs in its worker thread');
  return stop;
});
