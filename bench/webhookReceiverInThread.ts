import { Worker } from 'node:worker_threads';

export type WebhookReceiverInThread = {
  readonly url: string;
  /** user id → when its first verified webhook arrived (epoch ms, sub-millisecond) */
  readonly receivedAt: ReadonlyMap<string, number>;
  /** verified webhooks, repeats included */
  received(): number;
  /** requests whose signature did not verify (a correct sender makes none) */
  badSignatures(): number;
  close(): Promise<void>;
};

/** Starts bench/webhookReceiverThread.ts in a worker thread and resolves once it listens. */
export const startWebhookReceiverInThread = async (secret: string): Promise<WebhookReceiverInThread> => {
  const worker = new Worker(new URL('../bin/tsWorker.js', import.meta.url), {
    workerData: { module: new URL('./webhookReceiverThread.ts', import.meta.url).href, secret },
  });
  const receivedAt = new Map<string, number>();
  let received = 0;
  let badSignatures = 0;
  const url = await new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (message: { url?: string; received?: [string, number][]; badSignatures?: number }) => {
      if (message.url !== undefined) resolve(message.url);
      for (const [userId, at] of message.received ?? []) {
        received++;
        if (!receivedAt.has(userId)) receivedAt.set(userId, at);
      }
      if (message.badSignatures !== undefined) badSignatures = message.badSignatures;
    });
  });
  return {
    url,
    receivedAt,
    received: () => received,
    badSignatures: () => badSignatures,
    close: async () => {
      const closed = new Promise<void>((resolve) => worker.on('message', (m) => m === 'closed' && resolve()));
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
};
