import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../application/ports/logger.ts';
import { mappedOutcome, rawEvent } from '../../application/ports/rawEventIndex/rawEventIndex.fixtures.ts';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { SqliteRawLog } from '../../infrastructure/sqlite/rawLog/sqliteRawLog.ts';
import { journeyEnv } from '../../testing/journey/journeyEnv.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { rawEventIndexFor } from './rawEventIndexFor.ts';
import { WorkerRawEventIndexWriter } from './workerRawEventIndexWriter.ts';

let data: TempDataDir | undefined;
afterEach(async () => {
  await data?.remove();
});

describe('the raw-event index written from a worker thread', () => {
  it('writes each batch in the thread, readable from this one, and refuses writes once stopped', async () => {
    data = await tempDataDir('index-worker');
    const config = loadConfig(journeyEnv(data.dir));
    const writer = new WorkerRawEventIndexWriter(config, silentLogger);
    await writer.start();
    const event = rawEvent('m1', 1);
    await writer.record({ stored: [event, rawEvent('m2', 2)] });
    await writer.record({ outcomes: [mappedOutcome(event)] });
    const index = rawEventIndexFor(config, 'test');
    try {
      const { events } = await index.query({}, { limit: 10 });
      expect(events.map((e) => [e.messageId, e.status])).toEqual([
        ['m2', 'pending'],
        ['m1', 'mapped'],
      ]);
    } finally {
      await index.close();
    }
    await writer.stop();
    await expect(writer.record({ stored: [rawEvent('m3', 3)] })).rejects.toThrow(/not running/);
  });

  it('copies what the embedded raw log stores in as pending, and tells this thread of each copy', async () => {
    data = await tempDataDir('index-worker');
    const config = loadConfig(journeyEnv(data.dir));
    const log = new SqliteRawLog(join(data.dir, 'raw.db'));
    const writer = new WorkerRawEventIndexWriter(config, silentLogger);
    await writer.start();
    let news = 0;
    writer.onWritten(() => news++);
    const index = rawEventIndexFor(config, 'test');
    try {
      const event = rawEvent('s1', 1);
      await log.publish([event, rawEvent('s2', 2, { userId: undefined, anonymousId: 'anon-9' })]);
      await expect
        .poll(async () => (await index.query({}, { limit: 10 })).events.map((e) => [e.messageId, e.status]), {
          timeout: 10_000,
        })
        .toEqual([
          ['s2', 'pending'],
          ['s1', 'pending'],
        ]);
      expect(news).toBeGreaterThan(0);
      await writer.record({ outcomes: [mappedOutcome(event)] });
      expect((await index.query({ status: 'mapped' }, { limit: 10 })).events.map((e) => e.messageId)).toEqual(['s1']);
    } finally {
      await index.close();
      await writer.stop();
      await log.close();
    }
  });
});
