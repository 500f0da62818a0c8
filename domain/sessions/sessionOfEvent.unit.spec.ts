import { describe, expect, it } from 'vitest';
import type { Activity } from './activity.ts';
import { sessionize } from './sessionize.ts';
import { sessionOfEvent } from './sessionOfEvent.ts';

const rules = { timeoutMs: 30 * 60_000, sessionIdOf: (_: string, first: Activity) => first.messageId };
const a = (occurredAt: string, messageId: string, clientSessionId?: string): Activity => ({
  messageId,
  occurredAt,
  rawType: 'track',
  ...(clientSessionId === undefined ? {} : { clientSessionId }),
});

describe('sessionOfEvent', () => {
  const events = [
    a('2026-05-01T10:00:00.000Z', 'a'),
    a('2026-05-01T10:10:00.000Z', 'b', 's1'),
    // the same instant, another client session: the messageId tells them apart
    a('2026-05-01T10:10:00.000Z', 'c', 's2'),
    a('2026-05-01T12:00:00.000Z', 'd'),
  ];
  const sessions = sessionize('ada', events, rules);

  it('finds the session of each event, also at a boundary shared by two sessions', () => {
    expect(sessions.map((s) => s.sessionId)).toEqual(['a', 'c', 'd']);
    expect(events.map((e) => sessionOfEvent(sessions, e.occurredAt, e.messageId)?.sessionId)).toEqual([
      'a',
      'a',
      'c',
      'd',
    ]);
  });

  it('finds none for an event outside every session', () => {
    expect(sessionOfEvent(sessions, '2026-05-01T11:00:00.000Z', 'x')).toBeUndefined();
    expect(sessionOfEvent(sessions, '2026-05-01T09:00:00.000Z', 'x')).toBeUndefined();
    expect(sessionOfEvent([], '2026-05-01T10:00:00.000Z', 'a')).toBeUndefined();
  });
});
