import { describe, expect, it } from 'vitest';
import { isValidationError, UnavailableError } from '../../domain/errors/journeyError.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import type { DeadLetter, PublishReceipt, RawLog } from '../ports/rawLog/rawLog.ts';
import { IngestEvents, MAX_EVENT_BYTES, MAX_EVENT_DEPTH } from './ingestEvents.ts';

/** Only what ingest uses; deduplicates by messageId across calls, as every adapter must. */
const fakeRawLog = (options: { failPublish?: boolean } = {}) => {
  const published: IngestedEvent[][] = [];
  const rejected: Omit<DeadLetter, 'id' | 'at'>[] = [];
  const ids = new Set<string>();
  const log = {
    publish: async (events: readonly IngestedEvent[]): Promise<PublishReceipt> => {
      if (options.failPublish) throw new UnavailableError('raw log is down');
      published.push([...events]);
      const fresh = events.filter((e) => !ids.has(e.messageId));
      for (const e of fresh) ids.add(e.messageId);
      return { stored: fresh.length, duplicates: events.length - fresh.length };
    },
    reject: async (items: readonly Omit<DeadLetter, 'id' | 'at'>[]) => {
      rejected.push(...items);
    },
  } as Pick<RawLog, 'publish' | 'reject'> as RawLog;
  return { log, published, rejected };
};

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const setup = (options: { failPublish?: boolean } = {}) => {
  const raw = fakeRawLog(options);
  let n = 0;
  const ingest = new IngestEvents(raw.log, { now: () => NOW }, () => `generated-${++n}`);
  return { ...raw, ingest };
};

const track = (extra: Record<string, unknown> = {}) => ({ type: 'track', event: 'Deployed', userId: 'u1', ...extra });

describe('IngestEvents', () => {
  it('publishes every valid event of a request in one call, stamped and skew-corrected', async () => {
    const { ingest, published } = setup();
    const result = await ingest.execute({
      source: 'web',
      events: [
        // the client's clock is 10 minutes fast: it sent at 12:10 an event it timed at 12:09
        track({ messageId: 'm1', timestamp: '2026-03-01T12:09:00Z', sentAt: '2026-03-01T12:10:00Z' }),
        track({ messageId: 'm2' }),
      ],
    });
    expect(result).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(published).toHaveLength(1);
    expect(published[0]?.[0]).toMatchObject({
      messageId: 'm1',
      receivedAt: '2026-03-01T12:00:00.000Z',
      timestamp: '2026-03-01T11:59:00.000Z',
      source: 'web',
    });
    expect(published[0]?.[1]).toMatchObject({ messageId: 'm2', timestamp: '2026-03-01T12:00:00.000Z' });
  });

  it('gives events without a messageId a fresh one', async () => {
    const { ingest, published } = setup();
    await ingest.execute({ source: 'web', events: [track(), track()] });
    expect(published[0]?.map((e) => e.messageId)).toEqual(['generated-1', 'generated-2']);
  });

  it('keeps the first of messageIds repeated inside one request and counts the rest as duplicates', async () => {
    const { ingest, published } = setup();
    const result = await ingest.execute({
      source: 'web',
      events: [track({ messageId: 'm1', event: 'First' }), track({ messageId: 'm1', event: 'Second' })],
    });
    expect(result).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
    expect(published[0]).toHaveLength(1);
    expect(published[0]?.[0]).toMatchObject({ event: 'First' });
  });

  it('counts events the raw log already holds as duplicates', async () => {
    const { ingest } = setup();
    await ingest.execute({ source: 'web', events: [track({ messageId: 'm1' })] });
    const again = await ingest.execute({
      source: 'web',
      events: [track({ messageId: 'm1' }), track({ messageId: 'm2' })],
    });
    expect(again).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
  });

  it('dead-letters invalid events with their reason and payload and still publishes the valid ones', async () => {
    const { ingest, published, rejected } = setup();
    const bad = { type: 'track', messageId: 'bad-1', userId: 'u1' };
    const result = await ingest.execute({ source: 'web', events: [track({ messageId: 'ok' }), bad, 42] });
    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([
      { index: 1, messageId: 'bad-1', errors: [{ path: 'event', message: 'is required (a string)' }] },
      { index: 2, errors: [{ path: '', message: 'must be a JSON object, not a number' }] },
    ]);
    expect(published[0]?.map((e) => e.messageId)).toEqual(['ok']);
    expect(rejected).toEqual([
      { stage: 'collector', reason: 'event is required (a string) (source web, request index 1)', payload: bad },
      {
        stage: 'collector',
        reason: 'event must be a JSON object, not a number (source web, request index 2)',
        payload: 42,
      },
    ]);
  });

  it('refuses an event over 32 KB', async () => {
    const { ingest, published, rejected } = setup();
    const big = track({ properties: { blob: 'x'.repeat(MAX_EVENT_BYTES) } });
    const result = await ingest.execute({ source: 'web', events: [big] });
    expect(result.accepted).toBe(0);
    expect(result.rejected[0]?.errors[0]?.message).toMatch(/the limit is 32768 bytes \(32 KB\) per event/);
    expect(published).toEqual([]);
    expect(rejected[0]?.payload).toBe(big);
  });

  it('refuses an event nested deeper than the limit and dead-letters what can be kept of it', async () => {
    const { ingest, published, rejected } = setup();
    const deep = JSON.parse(`${'['.repeat(50_000)}${']'.repeat(50_000)}`) as unknown;
    const ok = track({ messageId: 'ok-1', properties: { a: { b: { c: [1] } } } });
    const result = await ingest.execute({
      source: 'web',
      events: [track({ messageId: 'deep-1', properties: { deep } }), ok],
    });
    expect(result.accepted).toBe(1);
    expect(result.rejected[0]?.errors[0]?.message).toBe(
      `is nested more than ${MAX_EVENT_DEPTH} levels deep; the limit is ${MAX_EVENT_DEPTH}: flatten properties, traits or context`,
    );
    expect(published.flat().map((e) => e.messageId)).toEqual(['ok-1']);
    expect(rejected[0]?.payload).toMatchObject({ messageId: 'deep-1', type: 'track' });
  });

  it('refuses a request of more than 2,500 events as a whole', async () => {
    const { ingest, published, rejected } = setup();
    const events = Array.from({ length: 2_501 }, () => track());
    const error = await ingest.execute({ source: 'web', events }).catch((e: unknown) => e);
    expect(isValidationError(error)).toBe(true);
    expect(published).toEqual([]);
    expect(rejected).toEqual([]);
  });

  it('lets the raw log being unavailable reach the caller', async () => {
    const { ingest } = setup({ failPublish: true });
    await expect(ingest.execute({ source: 'web', events: [track()] })).rejects.toThrow('raw log is down');
  });
});
