import { describe, expect, it } from 'vitest';
import type { IngestedEvent } from '../raw/rawEvent.ts';
import { activityOf } from './activity.ts';

const base = { messageId: 'm1', receivedAt: '2026-05-01T10:00:01.000Z', timestamp: '2026-05-01T12:00:00+02:00' };

describe('activityOf', () => {
  it('takes URL, referrer, user agent and session id from a page call, UTM from the landing URL', () => {
    const raw = {
      ...base,
      type: 'page',
      anonymousId: 'anon',
      properties: {
        url: 'https://x.test/?utm_source=news&utm_campaign=spring%20sale',
        referrer: 'https://search.test/',
      },
      context: { userAgent: 'UA', sessionId: 's1' },
    } as IngestedEvent;
    expect(activityOf(raw)).toEqual({
      messageId: 'm1',
      occurredAt: '2026-05-01T10:00:00.000Z',
      rawType: 'page',
      url: 'https://x.test/?utm_source=news&utm_campaign=spring%20sale',
      referrer: 'https://search.test/',
      utmSource: 'news',
      utmCampaign: 'spring sale',
      userAgent: 'UA',
      clientSessionId: 's1',
    });
  });

  it("prefers Segment's context.campaign and context.page, and reads a session id from the properties", () => {
    const raw = {
      ...base,
      type: 'track',
      event: 'Clicked',
      userId: 'ada',
      properties: { sessionId: 42 },
      context: {
        page: { url: 'https://x.test/a?utm_source=url', referrer: 'https://r.test/' },
        campaign: { source: 'ctx', name: 'launch', medium: 'email' },
      },
    } as IngestedEvent;
    expect(activityOf(raw)).toMatchObject({
      url: 'https://x.test/a?utm_source=url',
      referrer: 'https://r.test/',
      utmSource: 'ctx',
      utmMedium: 'email',
      utmCampaign: 'launch',
      clientSessionId: '42',
    });
  });

  it('keeps only the time, type and messageId of a bare identify', () => {
    expect(activityOf({ ...base, type: 'identify', userId: 'ada' } as IngestedEvent)).toEqual({
      messageId: 'm1',
      occurredAt: '2026-05-01T10:00:00.000Z',
      rawType: 'identify',
    });
  });
});
