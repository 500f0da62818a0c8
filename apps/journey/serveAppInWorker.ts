import { parentPort, workerData } from 'node:worker_threads';
import type { Container } from 'inversify';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { createContainer } from './container.ts';

/**
 * The worker-thread side of `startInWorker` (startJourney.ts): builds the app's own
 * container (its own connections) from the config it was given, starts the app, says
 * `ready`, and on `stop` stops it, releases the container and says `stopped`.
 */
export const serveAppInWorker = async (
  module: string,
  start: (config: JourneyConfig, container: Container) => Promise<() => Promise<void>>,
): Promise<void> => {
  const { config } = workerData as { config: JourneyConfig };
  const port = parentPort;
  if (!port) throw new Error(`${module} runs as a worker thread only`);
  const container = createContainer(config);
  const stop = await start(config, container);
  port.postMessage({ type: 'ready' });
  port.on('message', async (message: { type: 'stop' }) => {
    if (message.type !== 'stop') return;
    await stop();
    await container.unbindAllAsync();
    port.postMessage({ type: 'stopped' });
    port.close();
  });
};
