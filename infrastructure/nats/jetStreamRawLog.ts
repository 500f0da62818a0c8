import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DeadLetterQueue } from '../../application/ports/rawLog/deadLetterQueue.ts';
import type {
  ConsumeOptions,
  DeadLetter,
  PublishReceipt,
  RawConsumer,
  RawDelivery,
  RawLog,
} from '../../application/ports/rawLog/rawLog.ts';
import { isConfigError, UnavailableError } from '../../domain/errors/journeyError.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { pendingOf } from './ensureGroupConsumers.ts';
import { type GroupConsumer, type GroupConsumerTiming, type NatsClients, startGroupConsumer } from './groupConsumer.ts';
import { getDeadLetter, listDeadLetters, removeDeadLetter, writeDeadLetters } from './jetStreamDeadLetters.ts';
import { connectNats, displayUrl, type NatsAuth } from './natsConnection.ts';
import { groupByPartition } from './rawGroups.ts';
import { ensureRawStreams, type RawStreamLimits, type RawStreamNames } from './rawStreams.ts';

export type JetStreamRawLogOptions = Partial<RawStreamNames> &
  Partial<RawStreamLimits> &
  Partial<GroupConsumerTiming> & {
    readonly auth?: NatsAuth;
    /** how long a publish waits for JetStream's acknowledgements */
    readonly publishTimeoutMs?: number;
  };

type Connected = NatsClients & { readonly nc: NatsConnection };

const HOUR_MS = 3_600_000;
/** nats-server's default max_payload, used until the server's INFO says otherwise */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** room left in a message for its headers (Nats-Msg-Id and the JetStream ones) */
const HEADER_ROOM = 4 * 1024;

type Unacknowledged = { failed: number; messages: number; events: number; firstReason: string };

const unacknowledgedMessage = (url: string, { failed, messages, events, firstReason }: Unacknowledged): string =>
  `NATS JetStream at ${displayUrl(url)} did not acknowledge ${failed} of ${messages} messages for ${events} events (${firstReason}); ` +
  'retry the request: a retry of the same events is recognised and not stored twice';

const noJetStreamMessage = (url: string, names: RawStreamNames, error: unknown): string =>
  `NATS_URL=${displayUrl(url)} has no usable JetStream (${error instanceof Error ? error.message : String(error)}); ` +
  `start nats-server with -js, or give the account JetStream and the ${names.stream}/${names.deadLetterStream} streams' permissions`;

/**
 * The raw log on NATS JetStream: a publish sends one message per partition on `raw.<partition>` (a
 * JSON array of its events), so each person's events stay ordered with a fixed number of consumers.
 * Dedupe is per message (`Nats-Msg-Id`): a retried request is dropped whole.
 */
export class JetStreamRawLog implements RawLog, DeadLetterQueue {
  private readonly names: RawStreamNames;
  private readonly limits: RawStreamLimits;
  private readonly timing: GroupConsumerTiming;
  private readonly publishTimeoutMs: number;
  private connecting: Promise<Connected> | undefined;
  private readonly consumers = new Set<GroupConsumer>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly options: JetStreamRawLogOptions = {},
  ) {
    this.names = {
      stream: options.stream ?? 'RAW',
      deadLetterStream: options.deadLetterStream ?? 'RAW_REJECTED',
      subjectRoot: options.subjectRoot ?? 'raw',
      partitions: options.partitions ?? 8,
    };
    this.limits = {
      duplicateWindowMs: options.duplicateWindowMs ?? 24 * HOUR_MS,
      maxAgeMs: options.maxAgeMs ?? 7 * 24 * HOUR_MS,
      maxBytes: options.maxBytes ?? 0,
      replicas: options.replicas ?? 1,
    };
    this.timing = {
      retryInitialMs: options.retryInitialMs ?? 50,
      retryMaxMs: options.retryMaxMs ?? 5_000,
      fetchExpiresMs: options.fetchExpiresMs ?? 1_000,
    };
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  }

  /** connects and creates or updates the streams; start-up awaits it so a bad URL fails fast */
  async ready(): Promise<void> {
    await this.connection();
  }

  async publish(events: readonly IngestedEvent[]): Promise<PublishReceipt> {
    const { js, nc } = await this.connection();
    if (events.length === 0) return { stored: 0, duplicates: 0 };
    const maxBytes = (nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD) - HEADER_ROOM;
    const { groups, repeats } = groupByPartition(events, this.names, maxBytes);
    // all in flight at once: one round trip for the request instead of one per message
    const acks = await Promise.allSettled(
      groups.map((group) =>
        js.publish(group.subject, group.body, { msgID: group.msgId, timeout: this.publishTimeoutMs }),
      ),
    );
    let duplicates = repeats;
    let failed = 0;
    let firstReason = '';
    acks.forEach((ack, i) => {
      if (ack.status === 'fulfilled') duplicates += ack.value.duplicate ? (groups[i]?.count ?? 0) : 0;
      else if (failed++ === 0) firstReason = ack.reason instanceof Error ? ack.reason.message : String(ack.reason);
    });
    if (failed > 0)
      throw new UnavailableError(
        unacknowledgedMessage(this.url, { failed, messages: groups.length, events: events.length, firstReason }),
      );
    return { stored: events.length - duplicates, duplicates };
  }

  consume(options: ConsumeOptions, handler: (delivery: RawDelivery) => Promise<void>): RawConsumer {
    this.assertOpen();
    const consumer = startGroupConsumer(
      () => this.connection(),
      this.names,
      this.timing,
      options,
      handler,
      (items) => this.reject(items),
    );
    this.consumers.add(consumer);
    // kept until its last pull ran out, which close() waits for
    void consumer.finished.then(() => this.consumers.delete(consumer));
    return { stop: () => consumer.stop() };
  }

  async reject(items: readonly Omit<DeadLetter, 'id' | 'at'>[]): Promise<void> {
    const { js } = await this.connection();
    try {
      await writeDeadLetters(js, this.names, items, this.publishTimeoutMs);
    } catch (error) {
      throw this.unavailable('did not store the dead letters', error);
    }
  }

  async listRejected(options: { readonly limit?: number } = {}): Promise<DeadLetter[]> {
    const { jsm } = await this.connection();
    return listDeadLetters(jsm, this.names, options.limit);
  }

  async getRejected(id: string): Promise<DeadLetter | undefined> {
    const { jsm } = await this.connection();
    return getDeadLetter(jsm, this.names, id);
  }

  async removeRejected(id: string): Promise<boolean> {
    const { jsm } = await this.connection();
    return removeDeadLetter(jsm, this.names, id);
  }

  async pending(group: string): Promise<number> {
    const { jsm } = await this.connection();
    return pendingOf(jsm, this.names, group);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const consumers = [...this.consumers];
    await Promise.all(consumers.map((c) => c.stop()));
    // their last pulls run out first, so that no event is left with a pull nobody reads
    await Promise.all(consumers.map((c) => c.finished));
    const connecting = this.connecting;
    if (connecting) await (await connecting.catch(() => undefined))?.nc.close();
  }

  private connection(): Promise<Connected> {
    if (this.closed) return Promise.reject(this.unavailable('is closed; open a new JetStreamRawLog'));
    if (!this.connecting) {
      const opening = this.open();
      this.connecting = opening;
      // a failed attempt is forgotten, so the next call tries again
      opening.catch(() => {
        if (this.connecting === opening) this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private async open(): Promise<Connected> {
    const nc = await connectNats(this.url, this.options.auth);
    try {
      const jsm = await jetstreamManager(nc);
      await ensureRawStreams(jsm, this.names, this.limits);
      return { nc, js: jetstream(nc), jsm };
    } catch (error) {
      await nc.close();
      if (isConfigError(error)) throw error;
      throw new UnavailableError(noJetStreamMessage(this.url, this.names, error), { cause: error });
    }
  }

  private unavailable(what: string, cause?: unknown): UnavailableError {
    const detail = cause === undefined ? '' : ` (${cause instanceof Error ? cause.message : String(cause)})`;
    return new UnavailableError(`the NATS raw log on ${displayUrl(this.url)} ${what}${detail}`, { cause });
  }

  private assertOpen(): void {
    if (this.closed) throw this.unavailable('is closed; open a new JetStreamRawLog');
  }
}
