import type { EventStore, Position } from '../../application/ports/eventStore/eventStore.ts';

/** One projection being run, in this thread (ProjectionRunner) or a worker (WorkerProjection). */
export interface RunningProjection {
  /** the streams it follows: its checkpoint only ever reaches positions of theirs */
  readonly streamPrefix: string;
  start(): void;
  /** resolves once it runs (a worker thread's start takes seconds); absent: at once */
  ready?(): Promise<void>;
  stop(): Promise<void>;
  waitFor(position: Position): Promise<void>;
}

/** The projector app: all of Journey's projections, each following the store on its own. */
export class Projector {
  constructor(readonly projections: readonly RunningProjection[]) {}

  start(): void {
    for (const p of this.projections) p.start();
  }

  /** resolves once every projection runs or stands by: a projector that says it started is a standby for each */
  async ready(): Promise<void> {
    await Promise.all(this.projections.map((p) => p.ready?.()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.projections.map((p) => p.stop()));
  }

  /** resolves once every projection has applied the event at `position` (of streams they all follow) */
  async waitFor(position: Position): Promise<void> {
    await Promise.all(this.projections.map((p) => p.waitFor(position)));
  }

  /** resolves once each projection has applied the newest event of the streams it follows, as of now */
  async waitForHeads(store: Pick<EventStore, 'headPosition'>): Promise<void> {
    await Promise.all(
      this.projections.map(async (p) => {
        const head = await store.headPosition({ streamPrefix: p.streamPrefix });
        if (head) await p.waitFor(head);
      }),
    );
  }
}
