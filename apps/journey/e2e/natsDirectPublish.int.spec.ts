import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MapRawEvents } from '../../../application/mapping/mapRawEvents.ts';
import { journeyStreamOf } from '../../../domain/journey/journeyEvent.ts';
import { compileRules } from '../../../domain/mapping/compileRules.ts';
import { defaultRules } from '../../../domain/mapping/defaultRules.ts';
import { JetStreamRawLog } from '../../../infrastructure/nats/jetStreamRawLog.ts';
import { partitionOf } from '../../../infrastructure/nats/rawStreams.ts';
import { SqliteEventStore } from '../../../infrastructure/sqlite/eventStore/sqliteEventStore.ts';
import { type NatsServerHarness, startNatsServer } from '../../../testing/nats/natsServerHarness.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';

/**
 * The README's "Publishing from a backend service" example, taken from the README itself and
 * run as its own process with the plain NATS client: the event lands in dave's journey,
 * once even when the service publishes it twice.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

const readmeExample = async (): Promise<string> => {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('**Publishing from a backend service.**'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error('README.md has no ```ts block after "Publishing from a backend service."');
  return match[1];
};

let server: NatsServerHarness;
let data: TempDataDir;
beforeAll(async () => {
  server = await startNatsServer();
  data = await tempDataDir('nats-direct');
});
afterAll(async () => {
  await server?.stop();
  await data?.remove();
});

describe('publishing straight to NATS as the README shows', () => {
  it('the README computes the partition of u:dave as 4 of 8, as the collector does', () => {
    expect(partitionOf('u:dave', 8)).toBe(4);
  });

  it('lands the event in the journey, once, through the real mapper', async () => {
    // the streams exist once any Journey app connected (the default names and 8 partitions)
    const log = new JetStreamRawLog(server.url);
    const store = new SqliteEventStore(data.file('events.db'));
    // inside the project, so the example's imports resolve from its node_modules
    const exampleDir = join(root, 'node_modules', '.cache', 'journey-readme');
    const example = join(exampleDir, `example-${process.pid}.mts`);
    try {
      await log.ready();
      await mkdir(exampleDir, { recursive: true });
      await writeFile(example, await readmeExample());
      const env = { ...process.env, NATS_URL: server.url };
      await run(process.execPath, [join(root, 'bin/run.js'), example], { cwd: root, env });
      await run(process.execPath, [join(root, 'bin/run.js'), example], { cwd: root, env });
      // the second publish was a duplicate to JetStream (Nats-Msg-Id dep-123)
      expect(await log.pending('mapper')).toBe(1);
      const mapper = new MapRawEvents(store, log, compileRules(defaultRules, 'default rules'));
      const consumer = log.consume({ group: 'mapper' }, mapper.handle);
      await expect.poll(() => log.pending('mapper'), { timeout: 10_000 }).toBe(0);
      await consumer.stop();
      const journey = await store.readStream(journeyStreamOf('dave'));
      expect(journey.map((e) => [e.type, (e.metadata as { sourceMessageIds?: string[] }).sourceMessageIds])).toEqual([
        ['DeploymentStarted', ['dep-123']],
      ]);
      expect(await log.listRejected()).toEqual([]);
    } finally {
      await rm(example, { force: true });
      await log.close();
      await store.close();
    }
  });
});
