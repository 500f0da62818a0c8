import type pg from 'pg';
import type { AutomationUser } from '../../../domain/automations/userTraits.ts';
import { withoutNul } from '../readModels/withoutNul.ts';
import { TIMER_COLUMNS, type TimerRow, toTimerState } from './automationRows.ts';
import type { AutomationSnapshot, AutomationWants } from './recordingAutomationWriter.ts';

/**
 * Reads what an automation transaction asked for, one query per kind of row, inside its
 * transaction: the state from `schema` (a rebuild's shadow has its own), delivery ids from the one outbox.
 */
export const automationStateLoader =
  (client: pg.ClientBase, schema = 'journey') =>
  async (wants: AutomationWants, into: AutomationSnapshot): Promise<void> => {
    const T = `${schema}.automation_timers`;
    if (wants.users.size > 0) {
      const ids = [...wants.users];
      for (const id of ids) into.users.set(id, null);
      const { rows } = await client.query<{ user_id: string; state: AutomationUser }>(
        `SELECT user_id, state FROM ${schema}.automation_users WHERE user_id = ANY($1::text[])`,
        [ids.map(withoutNul)],
      );
      for (const row of rows) into.users.set(row.user_id, row.state);
    }
    if (wants.timers.size > 0) {
      const ids = [...wants.timers];
      for (const id of ids) into.timers.set(id, null);
      const { rows } = await client.query<TimerRow>(`SELECT ${TIMER_COLUMNS} FROM ${T} WHERE id = ANY($1::text[])`, [
        ids.map(withoutNul),
      ]);
      for (const row of rows) into.timers.set(row.id, toTimerState(row));
    }
    if (wants.waitingOf.size > 0) {
      const users = [...wants.waitingOf];
      for (const user of users) into.waitingOf.set(user, []);
      const { rows } = await client.query<TimerRow>(
        `SELECT ${TIMER_COLUMNS} FROM ${T} WHERE user_id = ANY($1::text[]) AND status = 'waiting'`,
        [users.map(withoutNul)],
      );
      const byUser = new Map<string, string[]>();
      for (const row of rows) {
        into.timers.set(row.id, toTimerState(row));
        byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.id]);
      }
      for (const [user, ids] of byUser) into.waitingOf.set(user, ids);
    }
    for (const [now, asked] of wants.due) {
      const { rows } = await client.query<TimerRow>(
        `SELECT ${TIMER_COLUMNS} FROM ${T} WHERE status = 'waiting' AND due_at <= $1 ORDER BY due_at, id LIMIT $2`,
        [now, asked],
      );
      for (const row of rows) into.timers.set(row.id, toTimerState(row));
      into.due.set(now, { ids: rows.map((r) => r.id), asked });
    }
    if (wants.deliveryIds.size > 0) {
      const ids = [...wants.deliveryIds];
      for (const id of ids) into.deliveryIds.set(id, false);
      const { rows } = await client.query<{ id: string }>(
        'SELECT id FROM journey.automation_deliveries WHERE id = ANY($1::text[])',
        [ids.map(withoutNul)],
      );
      for (const row of rows) into.deliveryIds.set(row.id, true);
    }
  };
