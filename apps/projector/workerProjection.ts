import { Worker } from 'node:worker_threads';
import { comparePositions, type Position, positionFromString } from '../../application/eventStore.ts';
import type { Logger } from '../../application/logger.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { ProjectionName } from './journeyProjections.ts';

export type WorkerMessage = { type: 'applied'; position: string } | { type: 'stopped' };

const RESTART_DELAY_MS = 1_000;

/**
 * The main thread's handle on a projection running in a worker thread: start, stop, and
 * wait until it has applied a position. A worker that dies is started again from its
 * checkpoint, which it keeps in its own read-model file.
 */
export class WorkerProjection {
  private worker: Worker | undefined;
  private checkpoint: Position | null = null;
  private waiters: { position: Position; resolve: () => void }[] = [];
  private stopping = false;

  constructor(
    private readonly config: JourneyConfig,
    readonly name: ProjectionName,
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.worker) return;
    this.stopping = false;
    // bin/tsWorker.js registers tsx in the new thread, then loads the projection worker
    const worker = new Worker(new URL('../../bin/tsWorker.js', import.meta.url), {
      workerData: {
        module: new URL('./projectionWorker.ts', import.meta.url).href,
        config: this.config,
        name: this.name,
      },
    });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'applied') this.reached(positionFromString(message.position));
    });
    worker.on('error', (error) =>
      this.logger.error({ projection: this.name, err: error }, `projection ${this.name} failed in its worker`),
    );
    worker.on('exit', (code) => {
      this.worker = undefined;
      if (this.stopping) return;
      this.logger.error(
        { projection: this.name, code },
        `projection ${this.name} worker exited (${code}); restarting it`,
      );
      setTimeout(() => this.stopping || this.start(), RESTART_DELAY_MS).unref();
    });
    this.worker = worker;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    const timeout = setTimeout(() => void worker.terminate(), 10_000);
    await exited;
    clearTimeout(timeout);
  }

  waitFor(position: Position): Promise<void> {
    if (this.checkpoint && comparePositions(this.checkpoint, position) >= 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  private reached(position: Position): void {
    this.checkpoint = position;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (comparePositions(position, w.position) >= 0) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }
}
