import { describe, expect, it } from 'vitest';
import { SoakTraffic } from './soakTraffic.ts';

describe('SoakTraffic', () => {
  it('numbers the demo mix with run-scoped messageIds and adds aliases', () => {
    const traffic = new SoakTraffic('run1');
    const events = traffic.next(3_000);
    expect(events).toHaveLength(3_000);
    expect(new Set(events.map((e) => e.messageId)).size).toBe(3_000);
    expect(traffic.numberOf(events[42]?.messageId ?? '')).toBe(42);
    expect(traffic.numberOf('run2-42')).toBeUndefined();
    const types = new Set(events.map((e) => e.type));
    expect([...types].sort()).toEqual(['alias', 'identify', 'page', 'track']);
  });

  it('expects a journey event of every user event, none of an alias, and of a page view once its identify got in', () => {
    const traffic = new SoakTraffic('run1');
    const events = traffic.next(3_000);
    const all = { has: () => true };
    const none = { has: () => false };
    const at = (predicate: (e: (typeof events)[number]) => boolean) => events.findIndex(predicate);
    expect(
      traffic.expectsJourneyEvent(
        at((e) => e.type === 'alias'),
        all,
      ),
    ).toBe(false);
    expect(
      traffic.expectsJourneyEvent(
        at((e) => e.event === 'Signed Up'),
        all,
      ),
    ).toBe(true);
    const identify = events.find((e) => e.type === 'identify');
    const pageView = at((e) => e.type === 'page' && e.anonymousId === identify?.anonymousId);
    expect(traffic.expectsJourneyEvent(pageView, all)).toBe(true);
    expect(traffic.expectsJourneyEvent(pageView, none)).toBe(false);
    const identified = new Set(events.filter((e) => e.type === 'identify').map((e) => e.anonymousId));
    const visitor = at((e) => e.type === 'page' && !identified.has(e.anonymousId));
    expect(traffic.expectsJourneyEvent(visitor, all)).toBe(false);
  });
});
