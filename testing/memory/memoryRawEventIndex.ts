import type {
  IndexedRawEvent,
  RawEventBatch,
  RawEventChange,
  RawEventCursor,
  RawEventFilter,
  RawEventIndex,
  RawEventOutcome,
  RawEventPage,
} from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';

type Row = { event: IndexedRawEvent; version: number };

/** newest first: receivedAt, then messageId, both descending */
const newerFirst = (a: RawEventCursor, b: RawEventCursor): number =>
  a.receivedAt === b.receivedAt ? b.messageId.localeCompare(a.messageId) : a.receivedAt < b.receivedAt ? 1 : -1;

const matches = (e: IndexedRawEvent, filter: RawEventFilter): boolean =>
  (filter.userId === undefined || (e.userId ?? e.linkedUserId) === filter.userId) &&
  (filter.anonymousId === undefined || e.anonymousId === filter.anonymousId) &&
  (filter.type === undefined || e.type === filter.type) &&
  (filter.event === undefined || e.event === filter.event) &&
  (filter.status === undefined || e.status === filter.status);

const sameOutcome = (e: IndexedRawEvent, o: RawEventOutcome): boolean =>
  e.status === o.status && e.reason === o.reason && JSON.stringify(e.journeyEvents) === JSON.stringify(o.journeyEvents);

/** The reference adapter. */
export class MemoryRawEventIndex implements RawEventIndex {
  private readonly rows = new Map<string, Row>();
  private readonly links = new Map<string, string>();
  private version = 0;

  async record(batch: RawEventBatch): Promise<void> {
    for (const link of batch.links ?? []) {
      if (this.links.has(link.anonymousId)) continue;
      this.links.set(link.anonymousId, link.userId);
      for (const row of this.rows.values())
        if (
          row.event.anonymousId === link.anonymousId &&
          row.event.userId === undefined &&
          row.event.linkedUserId === undefined
        )
          this.put({ ...row.event, linkedUserId: link.userId });
    }
    for (const outcome of batch.outcomes ?? []) {
      const row = this.rows.get(outcome.event.messageId);
      if (row !== undefined && sameOutcome(row.event, outcome)) continue;
      const base = row?.event ?? this.indexed(outcome.event, outcome.userId);
      const { reason: _old, ...rest } = base;
      this.put({
        ...rest,
        status: outcome.status,
        journeyEvents: outcome.journeyEvents,
        ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
      });
    }
    for (const raw of batch.stored ?? []) if (!this.rows.has(raw.messageId)) this.put(this.indexed(raw, undefined));
  }

  async query(filter: RawEventFilter, page: { before?: RawEventCursor; limit: number }): Promise<RawEventPage> {
    const before = page.before;
    const found = [...this.rows.values()]
      .map((r) => r.event)
      .filter((e) => matches(e, filter) && (before === undefined || newerFirst(e, before) > 0))
      .sort(newerFirst);
    const events = found.slice(0, page.limit);
    const last = events.at(-1);
    return found.length > page.limit && last !== undefined
      ? { events, next: { receivedAt: last.receivedAt, messageId: last.messageId } }
      : { events };
  }

  async headVersion(): Promise<number> {
    return this.version;
  }

  async changesSince(afterVersion: number, filter: RawEventFilter, limit: number) {
    const changes: RawEventChange[] = [...this.rows.values()]
      .filter((r) => r.version > afterVersion && matches(r.event, filter))
      .sort((a, b) => a.version - b.version)
      .slice(0, limit)
      .map((r) => ({ ...r.event, version: r.version }));
    const last = changes.at(-1);
    return { changes, version: changes.length === limit && last !== undefined ? last.version : this.version };
  }

  async prune(receivedBefore: string, limit: number): Promise<number> {
    const old = [...this.rows.values()]
      .filter((r) => r.event.receivedAt < receivedBefore)
      .sort((a, b) => newerFirst(b.event, a.event))
      .slice(0, limit);
    for (const row of old) this.rows.delete(row.event.messageId);
    return old.length;
  }

  async close(): Promise<void> {}

  private indexed(raw: IngestedEvent, mappedTo: string | undefined): IndexedRawEvent {
    const linked = raw.userId === undefined ? (mappedTo ?? this.links.get(raw.anonymousId ?? '')) : undefined;
    return {
      messageId: raw.messageId,
      type: raw.type,
      ...(raw.type === 'track' ? { event: raw.event } : {}),
      ...(raw.userId === undefined ? {} : { userId: raw.userId }),
      ...(raw.anonymousId === undefined ? {} : { anonymousId: raw.anonymousId }),
      ...(linked === undefined ? {} : { linkedUserId: linked }),
      timestamp: raw.timestamp,
      receivedAt: raw.receivedAt,
      status: 'pending',
      journeyEvents: [],
      raw,
    };
  }

  private put(event: IndexedRawEvent): void {
    this.rows.set(event.messageId, { event, version: ++this.version });
  }
}
