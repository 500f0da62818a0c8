import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../application/ports/logger.ts';
import type { StorageFailure } from '../../infrastructure/sqlite/storageFailure.ts';
import { onStorageFailure } from '../../infrastructure/sqlite/storageFailureListeners.ts';
import { sleep } from '../../testing/sleep.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { SupervisedWorker } from './supervisedWorker.ts';

describe('SupervisedWorker (a real worker thread and SQLite file)', () => {
  const dirs: TempDataDir[] = [];
  afterAll(async () => {
    for (const dir of dirs) await dir.remove();
  });

  it('a worker whose writes the storage refuses: the failure reaches the main thread’s listeners, and the worker is not restarted into the same full disk', async () => {
    const dir = await tempDataDir('worker');
    dirs.push(dir);
    const file = dir.file('full.db');
    const failures: StorageFailure[] = [];
    const reported = new Promise<void>((resolve) => {
      const unlisten = onStorageFailure((failure) => {
        failures.push(failure);
        unlisten();
        resolve();
      });
    });
    let starts = 0;
    const worker = new SupervisedWorker<{ type: string }>({
      label: 'full database',
      module: new URL('../../testing/journey/fullDatabaseWorker.ts', import.meta.url),
      workerData: { file },
      logger: silentLogger,
      onMessage: (message) => {
        if (message.type === 'ready') starts++;
      },
    });
    await worker.startReady();
    await reported;
    expect(failures).toEqual([expect.objectContaining({ kind: 'full', code: 'SQLITE_FULL', file })]);
    // a crashed worker is started again after 1 s; this one must stay down
    await sleep(2_500);
    await worker.stop();
    expect(starts).toBe(1);
  });
});
