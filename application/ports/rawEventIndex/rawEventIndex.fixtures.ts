import type { IngestedEvent } from '../../../domain/raw/rawEvent.ts';
import type { RawEventOutcome } from './rawEventIndex.ts';

/** a track call received at `receivedAt` (seconds after 2026-05-01T10:00:00Z), with overrides */
export const rawEvent = (messageId: string, second: number, overrides: Partial<IngestedEvent> = {}): IngestedEvent =>
  ({
    type: 'track',
    event: 'Button Clicked',
    messageId,
    userId: 'ada',
    timestamp: new Date(Date.parse('2026-05-01T10:00:00.000Z') + second * 1000).toISOString(),
    receivedAt: new Date(Date.parse('2026-05-01T10:00:00.000Z') + second * 1000).toISOString(),
    properties: { button: 'deploy' },
    ...overrides,
  }) as IngestedEvent;

export const mappedOutcome = (event: IngestedEvent, rule = 'deployment-started'): RawEventOutcome => ({
  event,
  status: 'mapped',
  journeyEvents: [{ id: `je-${event.messageId}-${rule}`, type: 'DeploymentStarted', rule }],
  ...(event.userId === undefined ? {} : { userId: event.userId }),
});

export const rejectedOutcome = (event: IngestedEvent, reason: string): RawEventOutcome => ({
  event,
  status: 'rejected',
  journeyEvents: [],
  reason,
});

export const unmappedOutcome = (event: IngestedEvent): RawEventOutcome => ({
  event,
  status: 'unmapped',
  journeyEvents: [],
});
