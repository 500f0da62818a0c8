import { setTimeout as sleep } from 'node:timers/promises';
import {
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { headers, type NatsConnection, nanos } from '@nats-io/transport-node';
import { feedIdOf, positionOfFeedId } from '../../application/feed/feedPosition.ts';
import { feedEventOf, followJourneyEvents } from '../../application/feed/journeyEventFeed.ts';
import { type EventStore, type Position, START } from '../../application/ports/eventStore/eventStore.ts';
import { type Logger, silentLogger } from '../../application/ports/logger.ts';
import { ConfigError } from '../../domain/errors/journeyError.ts';

export type JourneyEventSubjectsOptions = {
  /** the stream that keeps what was published, default JOURNEY_EVENTS */
  readonly stream?: string;
  /** subjects are `<root>.<type>`, default `journey.events` */
  readonly subjectRoot?: string;
  /** messages the stream keeps (oldest dropped first); default 1,000,000 */
  readonly maxMessages?: number;
  readonly replicas?: number;
  readonly publishTimeoutMs?: number;
  /** wait before starting again after a failure; default 1 s */
  readonly retryDelayMs?: number;
  readonly logger?: Logger;
};

export const POSITION_HEADER = 'Journey-Position';
const DUPLICATE_WINDOW_MS = 2 * 60_000;

const foreignMessageMessage = (stream: string, seq: number): string =>
  `the last message of stream ${stream} (sequence ${seq}) has no ${POSITION_HEADER} header: something else publishes to its subjects; publish elsewhere, or delete the stream to have Journey create it again`;

/**
 * Publishes every journey event to `journey.events.<type>` (body: the feed's JSON), in global
 * order, into a JetStream stream over those subjects. The stream is the checkpoint: its last
 * message names the position to go on from, so publish and checkpoint are one write. A crash
 * between the store's ack and ours publishes again under the same Nats-Msg-Id (the event id),
 * which the stream drops; core subscribers may see such a copy (at least once).
 */
export class NatsJourneyEventPublisher {
  private readonly stream: string;
  private readonly root: string;
  private readonly stop$ = new AbortController();
  private running: Promise<void> | undefined;
  private last: Position | undefined;

  constructor(
    private readonly store: Pick<EventStore, 'subscribeAll'>,
    private readonly connect: () => Promise<NatsConnection>,
    private readonly options: JourneyEventSubjectsOptions = {},
  ) {
    this.stream = options.stream ?? 'JOURNEY_EVENTS';
    this.root = options.subjectRoot ?? 'journey.events';
  }

  /** the position of the last event published, once one was */
  get position(): Position | undefined {
    return this.last;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stop$.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const logger = this.options.logger ?? silentLogger;
    const signal = this.stop$.signal;
    while (!signal.aborted) {
      let nc: NatsConnection | undefined;
      try {
        nc = await this.connect();
        const jsm = await jetstreamManager(nc);
        await this.ensureStream(jsm);
        const after = await this.lastPublished(jsm);
        const js = jetstream(nc, { timeout: this.options.publishTimeoutMs ?? 5_000 });
        for await (const batch of followJourneyEvents(this.store, { ...(after ? { after } : {}), signal })) {
          // one at a time, each acknowledged: the stream's last message is then the checkpoint
          for (const event of batch) {
            const h = headers();
            h.set(POSITION_HEADER, feedIdOf(event.position));
            await js.publish(`${this.root}.${event.type}`, JSON.stringify(feedEventOf(event)), {
              msgID: event.id,
              headers: h,
            });
            this.last = event.position;
          }
        }
      } catch (error) {
        if (signal.aborted) break;
        logger.warn({ err: error, stream: this.stream }, 'publishing journey events to NATS failed; starting again');
        await sleep(this.options.retryDelayMs ?? 1_000, undefined, { signal }).catch(() => undefined);
      } finally {
        await nc?.close().catch(() => undefined);
      }
    }
  }

  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    try {
      await jsm.streams.info(this.stream);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.status === 404)) throw error;
      // a count limit, not an age: the last message must survive a long outage, being the checkpoint
      await jsm.streams.add({
        name: this.stream,
        subjects: [`${this.root}.>`],
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_msgs: this.options.maxMessages ?? 1_000_000,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        num_replicas: this.options.replicas ?? 1,
      });
    }
  }

  /** where the stream's last message says publishing got to; START for an empty stream */
  private async lastPublished(jsm: JetStreamManager): Promise<Position> {
    const { state } = await jsm.streams.info(this.stream);
    if (state.messages === 0) return START;
    const message = await jsm.streams.getMessage(this.stream, { seq: state.last_seq });
    const position = positionOfFeedId(message?.header.get(POSITION_HEADER) ?? '');
    if (!position) throw new ConfigError(foreignMessageMessage(this.stream, state.last_seq));
    return position;
  }
}
