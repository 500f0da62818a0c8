import { Worker } from 'node:worker_threads';
import type { Logger } from '../../application/ports/logger.ts';
import { newHeapSlots, type ThreadHeaps } from '../../infrastructure/metrics/threadHeap.ts';
import type { StorageFailure } from '../../infrastructure/sqlite/storageFailure.ts';
import { reportStorageFailure } from '../../infrastructure/sqlite/storageFailureListeners.ts';

const RESTART_DELAY_MS = 1_000;
const STOP_TIMEOUT_MS = 10_000;

export type SupervisedWorkerOptions<Message> = {
  /** what the worker is, for log lines: "projection timeline", "the alerter" */
  readonly label: string;
  /** the TypeScript module the worker thread runs */
  readonly module: URL;
  readonly workerData: Record<string, unknown>;
  readonly logger: Logger;
  readonly onMessage?: (message: Message) => void;
  /** the thread ended (it is started again unless stopped): what it was doing is lost */
  readonly onExit?: () => void;
  /** where the thread's heap is reported while it runs (journey_thread_heap_*_bytes) */
  readonly heaps?: ThreadHeaps;
};

/**
 * A worker thread running one of Journey's modules, started again when it dies. `{ type: 'stop' }`
 * makes it finish and exit (terminated after 10 s). A storage failure in the worker is reported here
 * and stops the process rather than restarting into the same full disk.
 */
export class SupervisedWorker<Message = unknown> {
  private worker: Worker | undefined;
  private stopping = false;
  private readiness: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(private readonly options: SupervisedWorkerOptions<Message>) {}

  /**
   * Starts the worker and resolves once it posts `{ type: 'ready' }`; rejects with its error
   * when it fails before that, so a bad start-up stops Journey instead of looping.
   */
  startReady(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.readiness = { resolve, reject };
    });
    this.start();
    return ready;
  }

  start(): void {
    if (this.worker) return;
    this.stopping = false;
    const { label, logger } = this.options;
    // bin/tsWorker.js registers tsx in the new thread, then loads the module
    const heapSlots = newHeapSlots();
    const worker = new Worker(new URL('../../bin/tsWorker.js', import.meta.url), {
      workerData: { ...this.options.workerData, module: this.options.module.href, heapSlots },
    });
    const unlistHeap = this.options.heaps?.add(label.replace(/^the /, ''), heapSlots);
    worker.on('message', (message: Message) => {
      const type = (message as { type?: unknown }).type;
      if (type === 'storage-failed') {
        this.stopping = true;
        reportStorageFailure((message as { failure: StorageFailure }).failure);
        return;
      }
      if (type === 'ready') {
        this.readiness?.resolve();
        this.readiness = undefined;
      }
      this.options.onMessage?.(message);
    });
    let failure: Error | undefined;
    worker.on('error', (error) => {
      failure = error;
      if (!this.readiness) logger.error({ err: error }, `${label} failed in its worker thread`);
    });
    worker.on('exit', (code) => {
      this.worker = undefined;
      unlistHeap?.();
      this.options.onExit?.();
      if (this.readiness) {
        this.readiness.reject(failure ?? new Error(`${label} worker thread exited (${code}) while starting`));
        this.readiness = undefined;
        return;
      }
      if (this.stopping) return;
      logger.error({ code }, `${label} worker thread exited (${code}); restarting it`);
      setTimeout(() => this.stopping || this.start(), RESTART_DELAY_MS).unref();
    });
    this.worker = worker;
  }

  /** sends the thread a message (queued until it listens); false when no thread runs */
  post(message: unknown): boolean {
    if (!this.worker) return false;
    this.worker.postMessage(message);
    return true;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    const timeout = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timeout);
  }
}
