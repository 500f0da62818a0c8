import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDeadLetterQueueContract } from '../../../application/ports/rawLog/deadLetterQueue.contract.ts';
import { describeRawLogContract } from '../../../application/ports/rawLog/rawLog.contract.ts';
import { eventually, Recorder, rawEvent } from '../../../application/ports/rawLog/rawLog.fixtures.ts';
import type { RawLog } from '../../../application/ports/rawLog/rawLog.ts';
import type { IngestedEvent } from '../../../domain/raw/rawEvent.ts';
import { countSqliteCommits } from '../../../testing/sqlite/countSqliteCommits.ts';
import { sqliteTestFiles } from '../../../testing/sqliteTestFiles.ts';
import { SqliteRawLog } from './sqliteRawLog.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('raw');
});
afterAll(async () => {
  await files.remove();
});

const fastRetries = { retryInitialMs: 2, retryMaxMs: 10, pollIntervalMs: 20 };

describeRawLogContract(
  'sqlite',
  async () => {
    const file = files.file();
    const opened: RawLog[] = [new SqliteRawLog(file, fastRetries)];
    return {
      log: opened[0] as RawLog,
      reopen: async () => {
        const log = new SqliteRawLog(file, fastRetries);
        opened.push(log);
        return log;
      },
      cleanup: async () => {
        await Promise.all(opened.map((log) => log.close()));
      },
    };
  },
  { reopen: true },
);

describe('SqliteRawLog', () => {
  it('commits publishes made in the same tick together, and awaited ones one by one', async () => {
    const commits = countSqliteCommits();
    const file = files.file();
    const log = new SqliteRawLog(file);
    try {
      const opened = commits.of(file);
      await Promise.all(Array.from({ length: 20 }, (_, i) => log.publish([rawEvent(`u${i}`), rawEvent(`u${i}`)])));
      expect(commits.of(file) - opened).toBe(1);
      expect(await log.pending('mapper')).toBe(40);
      for (const i of [1, 2, 3]) await log.publish([rawEvent(`later-${i}`)]);
      expect(commits.of(file) - opened).toBe(4);
    } finally {
      commits.stop();
      await log.close();
    }
  });

  it('fails only the publish that broke, leaving none of its events behind', async () => {
    const log = new SqliteRawLog(files.file());
    const broken = { ...rawEvent('u1'), messageId: undefined } as unknown as IngestedEvent;
    const [good, bad] = await Promise.allSettled([
      log.publish([rawEvent('u1')]),
      log.publish([rawEvent('u2'), broken]),
    ]);
    expect(good).toEqual({ status: 'fulfilled', value: { stored: 1, duplicates: 0 } });
    expect(bad?.status).toBe('rejected');
    expect(await log.pending('mapper')).toBe(1);
    await log.close();
  });

  it("lets an idle consumer see another process's publishes by polling", async () => {
    const file = files.file();
    const consuming = new SqliteRawLog(file, fastRetries);
    const publishing = new SqliteRawLog(file, fastRetries);
    const recorder = new Recorder().start(consuming, { group: 'mapper' });
    await publishing.publish([rawEvent('u1')]);
    await recorder.until(1);
    await recorder.stop();
    await eventually(async () => (await publishing.pending('mapper')) === 0, 'the ack to be visible to the other');
    await Promise.all([consuming.close(), publishing.close()]);
  });
});

describeDeadLetterQueueContract('sqlite', () => new SqliteRawLog(files.file()));
