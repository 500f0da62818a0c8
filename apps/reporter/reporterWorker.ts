import { LoggerToken } from '../../application/ports/logger.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { serveAppInWorker } from '../journey/serveAppInWorker.ts';
import { startReporter } from './reporter.ts';

/**
 * The reporter in its own worker thread, with its own connections: loading pdfkit, rendering
 * a day's PDFs and uploading them (the start-up catch-up included) held the main thread for
 * about 0.4 s, and every collector request behind it waited that out (bench/alertLatencyBench.ts).
 */
await serveAppInWorker('reporterWorker.ts', async (config, container) => {
  const stop = await startReporter(config, container);
  container.get<JourneyLogger>(LoggerToken).debug({}, 'the reporter runs in its worker thread');
  return stop;
});
