import type { KeyValueStorage } from './storage.ts';

/** An event as it goes on the wire; the SDK always sets messageId and timestamp. */
export type WireEvent = { readonly messageId: string; readonly type: string; readonly [field: string]: unknown };

const isWireEvent = (value: unknown): value is WireEvent =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { messageId?: unknown }).messageId === 'string' &&
  typeof (value as { type?: unknown }).type === 'string';

/**
 * Events the collector has not acknowledged, persisted so a reload or a closed tab loses nothing.
 * Every change re-reads storage first, so two tabs share one queue; when full the oldest go, as an
 * unbounded queue would fill localStorage and then lose everything.
 */
export class EventQueue {
  private fallback: WireEvent[] = [];

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly key: string,
    private readonly max: number,
  ) {}

  private read(): WireEvent[] {
    const text = this.storage.get(this.key);
    if (text === null) return this.fallback;
    try {
      const value: unknown = JSON.parse(text);
      return Array.isArray(value) ? value.filter(isWireEvent) : [];
    } catch {
      return [];
    }
  }

  private write(events: WireEvent[]): void {
    this.fallback = events;
    if (events.length === 0) this.storage.remove(this.key);
    else this.storage.set(this.key, JSON.stringify(events));
  }

  /** Returns how many old events were dropped to make room. */
  add(event: WireEvent): number {
    const events = this.read();
    events.push(event);
    const overflow = Math.max(0, events.length - this.max);
    this.write(events.slice(overflow));
    return overflow;
  }

  /** The oldest events, at most `count` of them and at most `maxBytes` of JSON (at least one). */
  head(count: number, maxBytes = Number.POSITIVE_INFINITY): WireEvent[] {
    const out: WireEvent[] = [];
    let bytes = 0;
    for (const event of this.read()) {
      if (out.length >= count) break;
      const size = JSON.stringify(event).length;
      if (out.length > 0 && bytes + size > maxBytes) break;
      out.push(event);
      bytes += size;
    }
    return out;
  }

  remove(messageIds: readonly string[]): void {
    const gone = new Set(messageIds);
    this.write(this.read().filter((e) => !gone.has(e.messageId)));
  }

  size(): number {
    return this.read().length;
  }
}
