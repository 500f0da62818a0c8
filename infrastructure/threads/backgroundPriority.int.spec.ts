import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE } from './backgroundPriority.ts';

const priorityOfABackgroundThread = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../../bin/tsWorker.js', import.meta.url), {
      workerData: { module: new URL('../../testing/threads/backgroundThread.ts', import.meta.url).href },
    });
    worker.once('message', (priority: number) => {
      resolve(priority);
      void worker.terminate();
    });
    worker.once('error', reject);
  });

describe('a background thread', () => {
  it('runs at a lower CPU priority while the thread that started it keeps its own', async () => {
    const before = getPriority();
    const background = await priorityOfABackgroundThread();

    // a thread may always lower its priority; one already lower than the background's keeps it
    expect(background).toBe(Math.max(before, BACKGROUND_NICE));
    expect(getPriority()).toBe(before);
  });
});
