import { comparePositions, type Position, positionFromString } from '../../application/ports/eventStore/eventStore.ts';
import type { Logger } from '../../application/ports/logger.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { ThreadHeaps } from '../../infrastructure/metrics/threadHeap.ts';
import { SupervisedWorker } from '../journey/supervisedWorker.ts';
import { type WorkerProjectionName, workerProjectionStreamPrefix } from './workerProjectionRun.ts';

export type WorkerMessage = { type: 'applied'; position: string } | { type: 'ready' } | { type: 'stopped' };

/**
 * The main thread's handle on a projection running in a worker thread: start, stop, and
 * wait until it has applied a position. A worker that dies is started again from its
 * checkpoint, which it keeps in its own read-model file.
 */
export class WorkerProjection {
  private readonly worker: SupervisedWorker<WorkerMessage>;
  private checkpoint: Position | null = null;
  private waiters: { position: Position; resolve: () => void }[] = [];
  readonly streamPrefix: string;

  constructor(
    config: JourneyConfig,
    readonly name: WorkerProjectionName,
    logger: Logger,
    heaps?: ThreadHeaps,
  ) {
    this.streamPrefix = workerProjectionStreamPrefix(config, name);
    this.worker = new SupervisedWorker<WorkerMessage>({
      label: `projection ${name}`,
      module: new URL('./projectionWorker.ts', import.meta.url),
      workerData: { config, name },
      logger,
      ...(heaps ? { heaps } : {}),
      onMessage: (message) => {
        if (message.type === 'applied') this.reached(positionFromString(message.position));
      },
    });
  }

  private started: Promise<void> = Promise.resolve();

  start(): void {
    this.started = this.worker.startReady();
    // a failed start is told by `ready()`; the supervisor starts the thread again when it dies later
    this.started.catch(() => undefined);
  }

  /** resolves once the thread runs the projection (or stands by for its lease) */
  ready(): Promise<void> {
    return this.started;
  }

  stop(): Promise<void> {
    return this.worker.stop();
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
