import { randomUUID } from 'node:crypto';
import { activityEventDataOf } from '../application/mapping/activityEventDataOf.ts';
import { journeyEventDataOf } from '../application/mapping/journeyEventDataOf.ts';
import type { EventData } from '../application/ports/eventStore/eventStore.ts';
import { type DemoEvent, demoDataset } from '../apps/cli/demo/demoDataset.ts';
import { journeyStreamOf } from '../domain/journey/journeyEvent.ts';
import { applyRules } from '../domain/mapping/applyRules.ts';
import type { CompiledRules } from '../domain/mapping/compileRules.ts';
import { ingestRawEvent, partitionKeyOf } from '../domain/raw/ingestRawEvent.ts';
import { type IngestedEvent, rawEventSchema } from '../domain/raw/rawEvent.ts';
import { type Activity, activityOf, activityStreamOf, anonymousActivityStreamOf } from '../domain/sessions/activity.ts';

/**
 * The bench's data. It reuses `journey demo`'s generator, because that is the realistic mix:
 * anonymous visitors' page views, identify joining an anonymous id to a user, sign-ups,
 * backend `api.request` events (logins, projects, deployments, some 503s) and track events.
 */

const DEMO_DAY = '2026-03-10';

/** `count` demo raw events in time order, each with its own messageId */
export const rawEvents = (count: number, seed = 1): DemoEvent[] => {
  // a demo user averages about 8 events; grow the population until there are enough
  let users = Math.max(1, Math.ceil(count / 7));
  for (;;) {
    const { events } = demoDataset({ day: DEMO_DAY, users, seed });
    if (events.length >= count) return events.slice(0, count);
    users = Math.ceil(users * 1.5);
  }
};

/** What the collector stores for a raw event (validated, stamped); the payload the raw log holds. */
export const ingested = (event: DemoEvent, receivedAtMs: number): IngestedEvent =>
  ingestRawEvent(rawEventSchema.parse(event), {
    receivedAt: receivedAtMs,
    fallbackMessageId: randomUUID(),
    source: 'bench',
  });

/** marks a messageId in the body template; JSON never escapes it, and demo data never contains it */
const ID_MARK = '~MSGID~';

export type BodyFactory = {
  readonly eventsPerBody: number;
  /** a `/v1/batch` body whose messageIds no other body of this factory has used */
  next(): string;
};

/**
 * Request bodies for the HTTP ingest bench, each with new messageIds, or the raw log's dedupe would
 * make storing free. JSON.stringify per request would load the load generator, so one template is
 * split at the ids and joined with a per-request token.
 */
export const batchBodies = (eventsPerBody: number, seed = 7): BodyFactory => {
  const events = rawEvents(eventsPerBody, seed).map((event, i) => ({ ...event, messageId: `${ID_MARK}-${i}` }));
  const parts = JSON.stringify({ batch: events }).split(ID_MARK);
  const run = randomUUID().slice(0, 8);
  let n = 0;
  return { eventsPerBody, next: () => parts.join(`${run}-${(n++).toString(36)}`) };
};

export type RawLogRow = readonly [messageId: string, partitionKey: string, payload: string, receivedAt: string];

/**
 * Rows of the raw-insert baseline: the HTTP bench's own batch of events, repeated, with random
 * UUID messageIds, serialized exactly as the raw log stores them. Built before the clock
 * starts, so the baseline is SQLite's insert capacity alone (the stricter comparison).
 */
export const rawLogRows = (count: number, eventsPerBody: number, seed = 7): RawLogRow[] => {
  const template = rawEvents(eventsPerBody, seed);
  const now = Date.now();
  const rows: RawLogRow[] = [];
  for (let i = 0; i < count; i++) {
    const source = template[i % template.length] as DemoEvent;
    const event = ingested({ ...source, messageId: randomUUID() }, now);
    rows.push([event.messageId, partitionKeyOf(event), JSON.stringify(event), event.receivedAt]);
  }
  return rows;
};

/** one mapper delivery's appends: journey events grouped per user stream */
export type JourneyDelivery = ReadonlyMap<string, readonly EventData[]>;

/**
 * The journey events the mapper would append for `count` raw events, as its 500-event deliveries
 * grouped per user stream, in time order. Identity is resolved up front; visitors who never identify
 * keep a journey under their anonymous id.
 */
export const journeyDeliveries = (
  count: number,
  rules: CompiledRules,
  seed = 3,
  deliverySize = 500,
  /** also each stream's `ActivitiesRecorded` per delivery, as the mapper appends them for sessions */
  withActivity = false,
): JourneyDelivery[] => {
  const now = Date.now();
  const raws = rawEvents(Math.ceil(count * 1.1), seed).map((e) => ingested(e, now));
  const links = new Map<string, string>();
  for (const raw of raws) {
    if (raw.type === 'identify' && raw.userId !== undefined && raw.anonymousId !== undefined) {
      links.set(raw.anonymousId, raw.userId);
    }
  }
  const deliveries: JourneyDelivery[] = [];
  let produced = 0;
  for (let start = 0; start < raws.length && produced < count; start += deliverySize) {
    const delivery = new Map<string, EventData[]>();
    const activity = new Map<string, { owner: { userId?: string; anonymousId?: string }; activities: Activity[] }>();
    for (const raw of raws.slice(start, start + deliverySize)) {
      const userId = raw.userId ?? links.get(raw.anonymousId ?? '') ?? raw.anonymousId ?? '';
      const streamId = journeyStreamOf(userId);
      if (withActivity) {
        const known = raw.userId ?? links.get(raw.anonymousId ?? '');
        const activityStream =
          known === undefined ? anonymousActivityStreamOf(raw.anonymousId ?? '') : activityStreamOf(known);
        const owner = known === undefined ? { anonymousId: raw.anonymousId ?? '' } : { userId: known };
        const recorded = activity.get(activityStream) ?? { owner, activities: [] };
        recorded.activities.push(activityOf(raw));
        activity.set(activityStream, recorded);
      }
      for (const mapped of applyRules(rules, raw).events) {
        if (produced >= count) break;
        const list = delivery.get(streamId) ?? [];
        list.push(journeyEventDataOf(raw, mapped, userId));
        delivery.set(streamId, list);
        produced++;
      }
    }
    for (const [streamId, { owner, activities }] of activity)
      delivery.set(streamId, [activityEventDataOf(activities, owner)]);
    deliveries.push(delivery);
  }
  if (produced < count) throw new Error(`journeyDeliveries: made ${produced} of ${count} events`);
  return deliveries;
};

export type EventRow = readonly [
  streamId: string,
  revision: number,
  eventId: string,
  type: string,
  data: string,
  metadata: string,
  recordedAt: string,
];

/** The same journey events as rows of the events table, serialized, for the raw-insert baseline. */
export const eventRows = (deliveries: readonly JourneyDelivery[]): EventRow[] => {
  const revisions = new Map<string, number>();
  const recordedAt = new Date().toISOString();
  const rows: EventRow[] = [];
  for (const delivery of deliveries) {
    for (const [streamId, events] of delivery) {
      for (const event of events) {
        const revision = revisions.get(streamId) ?? 0;
        revisions.set(streamId, revision + 1);
        rows.push([
          streamId,
          revision,
          event.id,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          recordedAt,
        ]);
      }
    }
  }
  return rows;
};
