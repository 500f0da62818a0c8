import type pg from 'pg';
import {
  type AlertDayCount,
  type AlertFilter,
  type AlertStatus,
  alertStatuses,
  type DuePage,
  type OutboxCursor,
  type StoredAlert,
} from '../../../application/ports/alertStore/alertStore.ts';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import { connectionLostError } from '../connectionLost.ts';
import { GroupedStatement } from '../groupedStatement.ts';
import { confirmFence, type Queries, statementFence } from '../lease/fencedTransaction.ts';
import { ALERT_COLUMNS, type AlertRow, toStoredAlert } from './alertRows.ts';

type Finish = {
  readonly key: string;
  readonly status: 'posted' | 'logged' | 'failed' | 'skipped';
  readonly channel: string | null;
  readonly ts: string | null;
  readonly reason: string | null;
  readonly at: string;
};

/**
 * The alerter's side of the alert tables: the outbox it reads and the delivery state it
 * writes. Attempts and final states of the alerts in flight are written in groups (each
 * delivery would otherwise cost two durable commits: at 1,000 alerts/s the alerter fell
 * behind by seconds); every call still resolves only once its own row is committed. With a
 * lease, each write is one statement with its fence inside (statementFence), not a
 * transaction of three round trips around it. Reads are never fenced: reading cannot undo a
 * newer holder's work.
 */
export class PostgresAlertOutbox {
  private readonly attempts = new GroupedStatement<string, number>(
    async (keys) => {
      const fence = statementFence(this.fence, 2);
      const rows = await this.query<{ key: string; attempts: number }>(
        `${fence.with}UPDATE journey.alert_outbox o SET attempts = o.attempts + 1
         FROM unnest($1::text[]) AS k(key) WHERE o.key = k.key${fence.and} RETURNING o.key, o.attempts`,
        [keys, ...fence.params],
      );
      if (rows.length < keys.length) await this.confirm('counting a delivery attempt');
      const byKey = new Map(rows.map((r) => [r.key, r.attempts]));
      return keys.map((key) => byKey.get(key) ?? 0);
    },
    (key) => key,
  );

  private readonly finishes = new GroupedStatement<Finish, void>(
    async (items) => {
      const column = <K extends keyof Finish>(name: K) => items.map((item) => item[name]);
      const fence = statementFence(this.fence, 7);
      const rows = await this.query(
        `${fence.with}UPDATE journey.alert_outbox o SET status = v.status, channel = coalesce(v.channel, o.channel),
           ts = coalesce(v.ts, o.ts), last_error = coalesce(v.reason, o.last_error), delivered_at = v.at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
           AS v(key, status, channel, ts, reason, at)
         WHERE o.key = v.key${fence.and} RETURNING 1`,
        [
          column('key'),
          column('status'),
          column('channel'),
          column('ts'),
          column('reason'),
          column('at'),
          ...fence.params,
        ],
      );
      if (rows.length < items.length) await this.confirm('recording a delivery');
      return items.map(() => undefined);
    },
    (item) => item.key,
  );

  constructor(
    private readonly pool: Queries,
    /** the alerter's lease: every delivery write carries its epoch in its statement and is refused once it is gone */
    private readonly fence?: LeaseGrant,
  ) {}

  async get(key: string): Promise<StoredAlert | undefined> {
    const rows = await this.query<AlertRow>(`SELECT ${ALERT_COLUMNS} FROM journey.alert_outbox WHERE key = $1`, [key]);
    return rows[0] && toStoredAlert(rows[0]);
  }

  async pending(now: string, limit: number): Promise<StoredAlert[]> {
    const rows = await this.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM journey.alert_outbox WHERE status = 'pending' AND next_attempt_at <= $1
       ORDER BY seq LIMIT $2`,
      [canonicalInstant(now, 'now'), limit],
    );
    return rows.map(toStoredAlert);
  }

  async duePage(now: string, limit: number, after?: OutboxCursor): Promise<DuePage> {
    const rows = await this.query<AlertRow & { seq: string }>(
      `SELECT seq, ${ALERT_COLUMNS} FROM journey.alert_outbox
       WHERE status = 'pending' AND next_attempt_at <= $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [canonicalInstant(now, 'now'), after ?? 0, limit],
    );
    const last = rows.at(-1);
    return { alerts: rows.map(toStoredAlert), cursor: last ? Number(last.seq) : after };
  }

  beginAttempt(key: string): Promise<number> {
    return this.attempts.submit(key);
  }

  async retryLater(key: string, reason: string, nextAttemptAt: string): Promise<void> {
    const fence = statementFence(this.fence, 4);
    const rows = await this.query(
      `${fence.with}UPDATE journey.alert_outbox SET last_error = $1, next_attempt_at = $2 WHERE key = $3${fence.and} RETURNING 1`,
      [reason, canonicalInstant(nextAttemptAt, 'nextAttemptAt'), key, ...fence.params],
    );
    if (rows.length === 0) await this.confirm('scheduling a retry');
  }

  markPosted(key: string, d: { channel: string; ts: string; at: string }): Promise<void> {
    return this.finishes.submit({ key, status: 'posted', channel: d.channel, ts: d.ts, reason: null, at: d.at });
  }

  markDone(key: string, status: 'logged' | 'failed' | 'skipped', reason: string | null, at: string): Promise<void> {
    return this.finishes.submit({ key, status, channel: null, ts: null, reason, at });
  }

  async listAlerts(filter: AlertFilter = {}): Promise<StoredAlert[]> {
    const rows = await this.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM journey.alert_outbox
       WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2) ORDER BY seq DESC LIMIT $3`,
      [filter.status ?? null, filter.kind ?? null, filter.limit ?? 100],
    );
    return rows.map(toStoredAlert);
  }

  async countAlertsByDay(from: string, to: string): Promise<AlertDayCount[]> {
    return this.query<AlertDayCount>(
      `SELECT substr(occurred_at, 1, 10) AS date, kind, count(*)::int AS count FROM journey.alert_outbox
       WHERE occurred_at >= $1 AND occurred_at <= $2 GROUP BY 1, 2 ORDER BY 1, 2`,
      [`${from}T00:00:00.000Z`, `${to}T23:59:59.999Z`],
    );
  }

  async countAlertsByStatus(): Promise<Record<AlertStatus, number>> {
    const counts = Object.fromEntries(alertStatuses.map((s) => [s, 0])) as Record<AlertStatus, number>;
    const rows = await this.query<{ status: AlertStatus; count: number }>(
      'SELECT status, count(*)::int AS count FROM journey.alert_outbox GROUP BY status',
    );
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  /** a write touched fewer rows than asked: a lost lease (LeaseLostError), or rows that are not there */
  private async confirm(doing: string): Promise<void> {
    if (this.fence === undefined) return;
    try {
      await confirmFence(this.pool, this.fence, `${doing} by ${this.fence.holder}`);
    } catch (error) {
      throw connectionLostError(error, undefined, 'checking the alerter lease');
    }
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw connectionLostError(error, undefined, 'reading or updating the alert outbox');
    }
  }
}
