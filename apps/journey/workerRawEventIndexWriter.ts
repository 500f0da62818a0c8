import type { Logger } from '../../application/ports/logger.ts';
import type { RawEventBatch, RawEventIndex } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import { UnavailableError } from '../../domain/errors/journeyError.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import type { ThreadHeaps } from '../../infrastructure/metrics/threadHeap.ts';
import type { IndexReply } from './rawEventIndexWorker.ts';
import { SupervisedWorker } from './supervisedWorker.ts';

type Waiter = { resolve: () => void; reject: (error: Error) => void };

/**
 * The raw-event index in a worker thread (apps/journey/rawEventIndexWorker.ts), so neither its inserts
 * (about 30 µs an event with their indexes) nor bringing in what the raw log stored take
 * the mapper's thread; the main thread only sends each batch of outcomes. A thread that dies fails the
 * writes in flight and is started again.
 */
export class WorkerRawEventIndexWriter implements Pick<RawEventIndex, 'record'> {
  private readonly worker: SupervisedWorker<IndexReply>;
  private readonly waiting = new Map<number, Waiter>();
  private readonly written = new Set<() => void>();
  private next = 0;

  constructor(config: JourneyConfig, logger: Logger, heaps?: ThreadHeaps) {
    this.worker = new SupervisedWorker<IndexReply>({
      label: 'the raw-event index',
      module: new URL('./rawEventIndexWorker.ts', import.meta.url),
      workerData: { config },
      logger,
      ...(heaps ? { heaps } : {}),
      onMessage: (message) => {
        if (message.type === 'written') return this.tellWritten();
        if (message.type !== 'recorded') return;
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.error === undefined) {
          waiter?.resolve();
          this.tellWritten();
        } else waiter?.reject(new UnavailableError(`the raw-event index refused a write: ${message.error}`));
      },
      onExit: () => this.failWaiting('its worker thread ended'),
    });
  }

  start(): Promise<void> {
    return this.worker.startReady();
  }

  /** `listener` hears of every write the thread committed; returns how to stop listening */
  onWritten(listener: () => void): () => void {
    this.written.add(listener);
    return () => this.written.delete(listener);
  }

  private tellWritten(): void {
    for (const listener of [...this.written]) listener();
  }

  record(batch: RawEventBatch): Promise<void> {
    const id = ++this.next;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (!this.worker.post({ type: 'record', id, batch })) {
        this.waiting.delete(id);
        reject(new UnavailableError('the raw-event index is not running; start it before writing'));
      }
    });
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    this.failWaiting('it was stopped');
  }

  private failWaiting(why: string): void {
    for (const waiter of this.waiting.values())
      waiter.reject(
        new UnavailableError(
          `a raw-event index write was lost because ${why}; the events are indexed again on redelivery`,
        ),
      );
    this.waiting.clear();
  }
}
