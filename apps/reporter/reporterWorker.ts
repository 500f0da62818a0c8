import { parentPort, workerData } from 'node:worker_threads';
import { LoggerToken } from '../../application/logger.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { createContainer } from '../all/container.ts';
import { startReporter } from './reporter.ts';

/**
 * The reporter in its own worker thread, with its own connections: loading pdfkit, rendering
 * a day's PDFs and uploading them (the start-up catch-up included) held the main thread for
 * about 0.4 s, and every collector request behind it waited that out (bench/alertLatencyBench.ts).
 */
const { config } = workerData as { config: JourneyConfig };
const port = parentPort;
if (!port) throw new Error('reporterWorker.ts runs as a worker thread only');

const container = createContainer(config);
const stop = await startReporter(config, container);
container.get<JourneyLogger>(LoggerToken).debug({}, 'the reporter runs in its worker thread');
port.postMessage({ type: 'ready' });

port.on('message', async (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  await stop();
  await container.unbindAllAsync();
  port.postMessage({ type: 'stopped' });
  port.close();
});
