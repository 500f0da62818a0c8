import { Worker } from 'node:worker_threads';

export type FakeSlackInThread = {
  readonly apiUrl: string;
  /** alert key → when its first chat.postMessage arrived (epoch ms, sub-millisecond) */
  readonly postedAt: ReadonlyMap<string, number>;
  /** chat.postMessage calls that carried a key, retries included */
  posts(): number;
  close(): Promise<void>;
};

/**
 * Starts bench/fakeSlackThread.ts in a worker thread and resolves once it listens; `onPosted` hears
 * each key's first post as it arrives.
 */
export const startFakeSlackInThread = async (
  onPosted?: (key: string, at: number) => void,
): Promise<FakeSlackInThread> => {
  const worker = new Worker(new URL('../bin/tsWorker.js', import.meta.url), {
    workerData: { module: new URL('./fakeSlackThread.ts', import.meta.url).href },
  });
  const postedAt = new Map<string, number>();
  let posts = 0;
  const apiUrl = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { apiUrl?: string; posted?: [string, number] }) => {
      if (message.apiUrl !== undefined) resolve(message.apiUrl);
      if (message.posted) {
        posts++;
        const [key, at] = message.posted;
        if (!postedAt.has(key)) {
          postedAt.set(key, at);
          onPosted?.(key, at);
        }
      }
    });
  });
  return {
    apiUrl,
    postedAt,
    posts: () => posts,
    close: async () => {
      const closed = new Promise<void>((resolve) => worker.on('message', (m) => m === 'closed' && resolve()));
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
};
