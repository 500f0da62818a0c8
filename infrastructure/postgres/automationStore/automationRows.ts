import type { StoredDelivery } from '../../../application/ports/automationStore/automationStore.ts';
import type { AutomationTimer } from '../../../domain/automations/automationTriggers.ts';
import { canonicalInstant } from '../../polling/instants.ts';

/** Rows of the automation tables (migration 009) and the values they hold, read back as SQLite does. */
export const DELIVERY_COLUMNS =
  'id, automation_id, action, user_id, triggered_at, payload, created_at, status, attempts, next_attempt_at, last_error, delivered_at';
export const TIMER_COLUMNS = 'id, automation_id, user_id, event_id, event_type, started_at, due_at, data, status';

export type DeliveryRow = {
  readonly id: string;
  readonly automation_id: string;
  readonly action: string;
  readonly user_id: string;
  readonly triggered_at: string;
  readonly payload: unknown;
  readonly created_at: string;
  readonly status: string;
  readonly attempts: number;
  readonly next_attempt_at: string;
  readonly last_error: string | null;
  readonly delivered_at: string | null;
};

export type TimerRow = {
  readonly id: string;
  readonly automation_id: string;
  readonly user_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly started_at: string;
  readonly due_at: string;
  readonly data: unknown;
  readonly status: string;
};

/** a timer and where it stands: `waiting`, `cancelled`, `fired` or `expired` */
export type TimerState = { readonly timer: AutomationTimer; readonly status: string };

export const toStoredDelivery = (row: DeliveryRow): StoredDelivery => ({
  id: row.id,
  automationId: row.automation_id,
  action: row.action as StoredDelivery['action'],
  userId: row.user_id,
  triggeredAt: row.triggered_at,
  payload: row.payload as StoredDelivery['payload'],
  createdAt: row.created_at,
  status: row.status as StoredDelivery['status'],
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  ...(row.last_error === null ? {} : { lastError: row.last_error }),
  ...(row.delivered_at === null ? {} : { deliveredAt: row.delivered_at }),
});

export const toTimerState = (row: TimerRow): TimerState => ({
  timer: {
    id: row.id,
    automationId: row.automation_id,
    userId: row.user_id,
    eventId: row.event_id,
    eventType: row.event_type,
    startedAt: row.started_at,
    dueAt: row.due_at,
    data: row.data,
  },
  status: row.status,
});

/** as the store keeps it: instants in toISOString form, data as JSON keeps it */
export const storedTimer = (t: AutomationTimer): AutomationTimer => ({
  ...t,
  startedAt: canonicalInstant(t.startedAt, 'startedAt'),
  dueAt: canonicalInstant(t.dueAt, 'dueAt'),
  data: JSON.parse(JSON.stringify(t.data ?? null)) as unknown,
});
