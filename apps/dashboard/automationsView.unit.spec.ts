import { describe, expect, it } from 'vitest';
import type { Automation, Delivery } from './automationsApi.ts';
import { automationsView, mergeDeliveries } from './automationsView.ts';

const EVIL = `<img src=x onerror="alert(1)">'&`;
const ESCAPED = '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;';
const NOW = Date.parse('2026-05-01T12:00:00.000Z');

const automation = (extra: Partial<Automation> = {}): Automation => ({
  id: 'welcome-email',
  trigger: { kind: 'event', event: 'UserSignedUp', conditional: false },
  action: 'webhook',
  target: 'https://mailer.example/hooks/welcome',
  deliveries: { pending: 1, delivered: 0, failed: 1 },
  ...extra,
});

const delivery = (id: string, extra: Partial<Delivery> = {}): Delivery => ({
  id,
  automationId: 'welcome-email',
  action: 'webhook',
  userId: 'ada',
  triggeredAt: '2026-05-01T11:00:00.000Z',
  payload: {},
  createdAt: '2026-05-01T11:00:00.000Z',
  status: 'pending',
  attempts: 0,
  nextAttemptAt: '2026-05-01T11:00:00.000Z',
  ...extra,
});

/** the rows as the page would parse them: id, status, and whether a Retry button is there */
const rows = (text: string) =>
  [...text.matchAll(/<tr class="delivery ([^"]+)" data-delivery-id="([^"]+)"[\s\S]*?<\/tr>/g)].map((m) => ({
    id: m[2],
    className: m[1],
    retry: (m[0] ?? '').includes('data-retry='),
  }));

describe('automationsView', () => {
  it('highlights failed deliveries and gives only them a Retry button', () => {
    const text = automationsView(
      [automation()],
      [
        delivery('welcome-email:e3', {
          status: 'failed',
          attempts: 2,
          lastError: 'HTTP 500; gave up after 2 attempts',
          deliveredAt: '2026-05-01T11:01:00.000Z',
        }),
        delivery('welcome-email:e2', { attempts: 1, nextAttemptAt: '2026-05-01T12:05:00.000Z' }),
        delivery('welcome-email:e1', { status: 'delivered', attempts: 1, deliveredAt: '2026-05-01T11:00:01.000Z' }),
      ],
      NOW,
    ).text;
    expect(rows(text)).toEqual([
      { id: 'welcome-email:e3', className: 'delivery-failed', retry: true },
      { id: 'welcome-email:e2', className: 'delivery-pending', retry: false },
      { id: 'welcome-email:e1', className: 'delivery-delivered', retry: false },
    ]);
    expect(text).toContain('HTTP 500; gave up after 2 attempts');
    // a pending delivery names its next attempt, in UTC
    expect(text).toContain('1 May 2026, 12:05 UTC');
    expect(text).toMatch(/class="count count-failed" data-count="failed">1 failed/);
  });

  it('shows what senders and the automations file put in as text, never as markup', () => {
    const text = automationsView(
      [automation({ id: EVIL, target: EVIL })],
      [delivery(EVIL, { automationId: EVIL, userId: EVIL, status: 'failed', lastError: EVIL })],
      NOW,
    ).text;
    expect(text).not.toContain('<img');
    // automation id twice, target, delivery id thrice, its automation, user twice, last error
    expect(text.split(ESCAPED).length - 1).toBe(10);
  });

  it('says what to do when there are no automations, and when nothing was delivered yet', () => {
    expect(automationsView([], [], NOW).text).toContain('JOURNEY_AUTOMATIONS');
    expect(automationsView([automation()], [], NOW).text).toContain('No deliveries yet');
  });
});

describe('mergeDeliveries', () => {
  it('keeps each delivery once, the recent ones and older failures, newest first', () => {
    const older = delivery('a:old', { status: 'failed', createdAt: '2026-04-01T00:00:00.000Z' });
    const newer = delivery('a:new', { createdAt: '2026-05-01T10:00:00.000Z' });
    const failedRecent = delivery('a:f', { status: 'failed', createdAt: '2026-05-01T09:00:00.000Z' });
    expect(mergeDeliveries([newer, failedRecent], [failedRecent, older]).map((d) => d.id)).toEqual([
      'a:new',
      'a:f',
      'a:old',
    ]);
  });
});
