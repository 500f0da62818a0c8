import type { AutomationTimer, DeliveryDraft } from '../../../domain/automations/automationTriggers.ts';
import type { AutomationUser } from '../../../domain/automations/userTraits.ts';
import type { Position } from '../eventStore/eventStore.ts';

export const NOW = '2026-05-01T12:00:00.000Z';
export const pos = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

export const delivery = (id: string, extra: Partial<DeliveryDraft> = {}): DeliveryDraft => ({
  id,
  automationId: 'welcome-email',
  action: 'webhook',
  userId: 'ada',
  triggeredAt: '2026-05-01T11:59:00.000Z',
  payload: {
    automation: 'welcome-email',
    trigger: { kind: 'event', eventId: 'e1', eventType: 'UserSignedUp', occurredAt: '2026-05-01T11:59:00.000Z' },
    userId: 'ada',
    user: { email: 'ada@example.com', deployments: 0, failures: 0, errors: 0, lastSeenAt: '2026-05-01T11:59:00.000Z' },
    event: { id: 'e1', type: 'UserSignedUp', occurredAt: '2026-05-01T11:59:00.000Z' },
    data: { email: 'ada@example.com' },
  },
  ...extra,
});

export const timer = (id: string, dueAt: string, extra: Partial<AutomationTimer> = {}): AutomationTimer => ({
  id,
  automationId: 'stuck-3-days',
  userId: 'ada',
  eventId: 'e1',
  eventType: 'UserSignedUp',
  startedAt: '2026-05-01T11:59:00.000Z',
  dueAt,
  data: { email: 'ada@example.com' },
  ...extra,
});

export const user = (userId: string): AutomationUser => ({
  userId,
  email: `${userId}@example.com`,
  signedUpAt: '2026-05-01T11:59:00.000Z',
  lastSeenAt: '2026-05-01T11:59:00.000Z',
  deployments: 1,
  failures: 0,
  errors: 2,
  activityDays: ['2026-05-01'],
  seen: { ProjectCreated: ['2026-05-01T11:59:30.000Z'] },
});
