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
 * The "Publishing from a backend service" example of docs/operations/nats.md, taken from the page itself and
 * run as its own process with the plain NATS client: the event lands in dave's journey,
 * once even when the service publishes it twice.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);

const DOC = 'docs/operations/nats.md';
const HEADING = '## Publishing from a backend service';

const docExample = async (): Promise<string> => {
  const doc = await readFile(join(root, DOC), 'utf8');
  const at = doc.indexOf(HEADING);
  const match = at < 0 ? null : /```ts\n([\s\S]*?)```/.exec(doc.slice(at));
  if (!match?.[1]) throw new Error(`${DOC} has no \`\`\`ts block after "${HEADING}"`);
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

describe('publishing straight to NATS as docs/operations/nats.md shows', () => {
  it('the page computes the partition of u:dave as 4 of 8, as the collector does', () => {
    expect(partitionOf('u:dave', 8)).toBe(4);
  });

  it('lands the event in the journey, once, through the real mapper', async () => {
    // the streams exist once any Journey app connected (the default names and 8 partitions)
    const log = new JetStreamRawLog(server.url);
    const store = new SqliteEventStore(data.file('events.db'));
    // inside the project, so the example's imports resolve from its node_modules
    const exampleDir = join(root, 'node_modules', '.cache', 'journey-docs');
    const example = join(exampleDir, `example-${process.pid}.mts`);
    try {
      await log.ready();
      await mkdir(exampleDir, { recursive: true });
      await writeFile(example, await docExample());
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
