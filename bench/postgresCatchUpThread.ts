import { parentPort, workerData } from 'node:worker_threads';
import { eventStoreFor } from '../apps/journey/adapters.ts';
import { journeyProjection } from '../apps/projector/journeyProjections.ts';
import { loadConfig } from '../infrastructure/config/config.ts';
import { connectPostgres } from '../infrastructure/postgres/connectPostgres.ts';
import { PostgresReadModels } from '../infrastructure/postgres/readModels/postgresReadModels.ts';
import { ProjectionRunner } from '../projections/projectionRunner.ts';

/**
 * The timeline's catch-up in a worker thread, as the projector runs it beside the users
 * projection: loaded and connected before it says 'ready', so the clock starts at 'go'.
 */
const { dataDir, url } = workerData as { dataDir: string; url: string };
const config = loadConfig({ JOURNEY_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const eventStore = eventStoreFor(config);
const pool = await connectPostgres({ url, poolSize: 2 });
const runner = new ProjectionRunner(
  eventStore,
  await PostgresReadModels.open(pool),
  journeyProjection(config, 'timeline'),
);
parentPort?.once('message', async () => {
  try {
    await runner.catchUp();
    parentPort?.postMessage('done');
  } catch (error) {
    parentPort?.postMessage({ failed: String(error) });
  } finally {
    await pool.end();
    await eventStore.close();
  }
});
parentPort?.postMessage('ready');
