import { parentPort, workerData } from 'node:worker_threads';
import { LoggerToken } from '../../application/logger.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { JourneyLogger } from '../../infrastructure/logging/createLogger.ts';
import { createContainer } from '../all/container.ts';
import { runAlerter } from './runAlerter.ts';

/**
 * The alerter in its own worker thread: Slack round trips and the outbox's delivery writes
 * never wait behind the collector's and mapper's commits on the main thread, and a committed
 * outbox row wakes it across threads (SqliteAlertStore's broadcast channel).
 */
const { config } = workerData as { config: JourneyConfig };
const port = parentPort;
if (!port) throw new Error('alerterWorker.ts runs as a worker thread only');

const container = createContainer(config);
const stop = await runAlerter(config, container, container.get<JourneyLogger>(LoggerToken));
port.postMessage({ type: 'ready' });

port.on('message', async (message: { type: 'stop' }) => {
  if (message.type !== 'stop') return;
  await stop();
  await container.unbindAllAsync();
  port.postMessage({ type: 'stopped' });
  port.close();
});
