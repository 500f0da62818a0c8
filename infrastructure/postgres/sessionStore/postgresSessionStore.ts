import type pg from 'pg';
import { type Position, samePosition } from '../../../application/ports/eventStore/eventStore.ts';
import type { LeaseGrant } from '../../../application/ports/lease/lease.ts';
import type { CheckpointResult } from '../../../application/ports/readModels/readModels.ts';
import type {
  SessionDayCount,
  SessionRange,
  SessionStore,
  SessionWriter,
  UserSessionTotals,
} from '../../../application/ports/sessionStore/sessionStore.ts';
import { UnavailableError } from '../../../domain/errors/journeyError.ts';
import type { Session } from '../../../domain/sessions/session.ts';
import { connectionLostError } from '../connectionLost.ts';
import { inWriteTransaction } from '../inWriteTransaction.ts';
import { applyPrefetched } from '../prefetchedApply.ts';
import { readCheckpoint } from '../readModels/checkpointRow.ts';
import { withoutNul } from '../readModels/withoutNul.ts';
import { emptySessionSnapshot, RecordingSessionWriter, type SessionChanges } from './recordingSessionWriter.ts';
import { instantParam } from './sessionKeys.ts';
import { sessionStateLoader } from './sessionStateLoader.ts';
import { writeSessionChanges } from './writeSessionChanges.ts';

const CHECKPOINTS = 'session_checkpoints';

export type PostgresSessionStoreOptions = {
  /** where the tables are: `journey`, or a rebuild's shadow schema */
  readonly schema?: string;
  /** the sessions projection's lease: its batches are refused once another replica took over */
  readonly fence?: LeaseGrant;
};

/**
 * The sessions read model in PostgreSQL (tables of migration 008). A batch locks its
 * checkpoint row first, so writers of one projection take turns and a rebuild's swap can hold
 * them; its `apply` reads what it asks for in bulk (prefetchedApply.ts), and its writes go in
 * a statement or two. The pool belongs to the caller: `close` leaves it open.
 */
export class PostgresSessionStore implements SessionStore {
  private readonly schema: string;
  private readonly fence: LeaseGrant | undefined;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresSessionStoreOptions = {},
  ) {
    this.schema = options.schema ?? 'journey';
    this.fence = options.fence;
  }

  async readCheckpoint(projection: string): Promise<Position | null> {
    this.assertOpen();
    try {
      return await readCheckpoint(this.pool, projection, this.schema, CHECKPOINTS);
    } catch (error) {
      throw connectionLostError(error, undefined, `reading the checkpoint of ${projection}`);
    }
  }

  async applyBatch(
    projection: string,
    checkpoint: { readonly from: Position | null; readonly to: Position },
    apply: (writer: SessionWriter) => void,
  ): Promise<CheckpointResult> {
    this.assertOpen();
    const doing = `storing a batch of ${projection}`;
    const row = { projection, schema: this.schema, table: CHECKPOINTS } as const;
    const opening = { doing, readModel: true, checkpoint: row, ...(this.fence ? { fence: this.fence } : {}) };
    return inWriteTransaction(this.pool, opening, async (tx) => {
      if (!samePosition(tx.checkpoint, checkpoint.from)) return { kind: 'mismatch', current: tx.checkpoint };
      const snapshot = emptySessionSnapshot();
      const load = sessionStateLoader(tx.client, this.schema);
      const { changes } = await applyPrefetched<RecordingSessionWriter, SessionChanges, void>(
        apply,
        () => new RecordingSessionWriter(snapshot),
        (run) => load(run.wants, snapshot),
        'a sessions transaction',
      );
      await writeSessionChanges(tx.client, changes, this.schema);
      tx.moveCheckpoint(checkpoint.to);
      return { kind: 'stored' };
    });
  }

  async sessionsOf(userId: string, range: SessionRange = {}): Promise<Session[]> {
    const from = range.from === undefined ? Number.NEGATIVE_INFINITY : Date.parse(range.from);
    const to = range.to === undefined ? Number.POSITIVE_INFINITY : Date.parse(range.to);
    if (Number.isNaN(from) || Number.isNaN(to)) return []; // as SQLite, which compares with NULL
    const rows = await this.query<{ data: Session }>(
      `SELECT data FROM ${this.schema}.sessions WHERE user_id = $1 AND started_at BETWEEN $2 AND $3
       ORDER BY started_at DESC, first_message_id DESC`,
      [withoutNul(userId), instantParam(from), instantParam(to)],
      `reading the sessions of ${userId}`,
    );
    return rows.map((r) => r.data);
  }

  async sessionTotalsOf(userIds: readonly string[], range: Required<SessionRange>): Promise<UserSessionTotals[]> {
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    if (userIds.length === 0 || Number.isNaN(from) || Number.isNaN(to)) return [];
    // one key range of (user_id, started_at) per user; times are whole milliseconds, so the cut is exact
    const rows = await this.query<{ n: number; sessions: number; duration_ms: number }>(
      `SELECT u.n::int AS n, t.sessions, t.duration_ms
       FROM unnest($1::text[]) WITH ORDINALITY AS u(user_id, n)
       CROSS JOIN LATERAL (
         SELECT count(*)::int AS sessions,
           coalesce(sum(least(duration_ms, round(extract(epoch FROM $3::timestamptz - started_at) * 1000))), 0)::float8
             AS duration_ms
         FROM ${this.schema}.sessions WHERE user_id = u.user_id AND started_at BETWEEN $2 AND $3) t
       WHERE t.sessions > 0 ORDER BY u.n`,
      [userIds.map(withoutNul), instantParam(from), instantParam(to)],
      `totalling the sessions of ${userIds.length} users`,
    );
    // by position: an id with U+0000 is stored with U+FFFD, and is answered under the id asked for
    return rows.map((r) => ({ userId: userIds[r.n - 1] ?? '', sessions: r.sessions, durationMs: r.duration_ms }));
  }

  async sessionsByDay(from: string, to: string): Promise<SessionDayCount[]> {
    // percentile_disc is the nearest rank the port asks for
    return this.query<SessionDayCount>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS date, count(*)::int AS sessions, count(DISTINCT user_id)::int AS users,
         (percentile_disc(0.5) WITHIN GROUP (ORDER BY duration_ms))::float8 AS "medianDurationMs",
         (percentile_disc(0.9) WITHIN GROUP (ORDER BY duration_ms))::float8 AS "p90DurationMs",
         count(*) FILTER (WHERE page_views = 1)::int AS bounces
       FROM ${this.schema}.sessions WHERE day BETWEEN $1::date AND $2::date GROUP BY day ORDER BY day`,
      [from, to],
      `counting sessions from ${from} to ${to}`,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[], doing: string): Promise<R[]> {
    this.assertOpen();
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw connectionLostError(error, undefined, doing);
    }
  }

  private assertOpen(): void {
    if (this.closed)
      throw new UnavailableError(
        'this PostgreSQL session store is closed; create a new PostgresSessionStore on an open pool',
      );
  }
}
