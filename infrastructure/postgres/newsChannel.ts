import { randomUUID } from 'node:crypto';
import type pg from 'pg';

const RELISTEN_AFTER_MS = 1_000;

/**
 * News of a commit (alerts raised, deliveries enqueued): this store's listeners are told after
 * its own commits, and over LISTEN/NOTIFY those of stores in other processes on the same
 * database, so a worker elsewhere wakes without polling. The listening connection is held only
 * while anyone listens.
 */
export class NewsChannel {
  private readonly listeners = new Set<() => void>();
  /** the NOTIFY payload: a store skips its own notifications, having told its listeners already */
  private readonly id = randomUUID();
  private listening: pg.PoolClient | undefined;
  private connecting = false;
  private missedSome = false;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  /** `channel`: a plain lower-case SQL name, the same in every process */
  constructor(
    private readonly pool: pg.Pool,
    private readonly channel: string,
  ) {}

  /** the notification's payload, for a statement that notifies by itself (`pg_notify(channel, payload)`) */
  get payload(): string {
    return this.id;
  }

  /** channel and payload, for a statement that notifies by itself */
  get notice(): { readonly channel: string; readonly payload: string } {
    return { channel: this.channel, payload: this.id };
  }

  /** after this store committed a transaction with news */
  raised(): void {
    for (const listener of [...this.listeners]) listener();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    void this.listen();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopListening();
    };
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.stopListening();
  }

  private async listen(): Promise<void> {
    if (this.listening || this.connecting || this.closed || this.listeners.size === 0) return;
    this.connecting = true;
    let client: pg.PoolClient | undefined;
    try {
      client = await this.pool.connect();
      const own = client;
      own.on('notification', (n) => {
        if (n.channel === this.channel && n.payload !== this.id) this.raised();
      });
      own.on('error', () => this.lost(own));
      own.on('end', () => this.lost(own));
      await own.query(`LISTEN ${this.channel}`);
      this.listening = own;
    } catch {
      client?.release(true);
      this.listenLater();
    } finally {
      this.connecting = false;
    }
    if (this.closed || this.listeners.size === 0) return this.stopListening();
    // notifications sent while the connection was down are lost: assume some were
    if (this.listening && this.missedSome) {
      this.missedSome = false;
      this.raised();
    }
  }

  private lost(client: pg.PoolClient): void {
    if (this.listening !== client) return;
    this.listening = undefined;
    client.release(true);
    this.missedSome = true;
    this.listenLater();
  }

  private listenLater(): void {
    if (this.retry || this.closed) return;
    this.missedSome = true;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.listen();
    }, RELISTEN_AFTER_MS);
    this.retry.unref();
  }

  private stopListening(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    const client = this.listening;
    this.listening = undefined;
    client?.removeAllListeners('notification');
    client?.release(true); // not back to the pool: it still listens
  }
}
