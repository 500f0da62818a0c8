import type pg from 'pg';
import type { LeaseGrant, LeaseState, Leases } from '../../../application/ports/lease/lease.ts';
import { connectionLostError } from '../connectionLost.ts';

const INTERVAL = "$3 * interval '1 millisecond'";

/**
 * Leases as rows of journey.leases (migration 007), in the database where the fenced writes
 * land, so a write checks its epoch in its own transaction (fencedTransaction.ts). Expiry is
 * the server's clock_timestamp(): replicas' clocks need not agree. The pool is the caller's.
 */
export class PostgresLeases implements Leases {
  constructor(private readonly pool: pg.Pool) {}

  async tryAcquire(role: string, holder: string, ttlMs: number): Promise<LeaseGrant | undefined> {
    // ON CONFLICT locks the row and re-checks the WHERE on its newest version: of racing askers one wins
    const rows = await this.query<{ epoch: string }>(
      `taking the ${role} lease`,
      `INSERT INTO journey.leases AS l (role, epoch, holder, acquired_at, expires_at)
       VALUES ($1, 1, $2, clock_timestamp(), clock_timestamp() + ${INTERVAL})
       ON CONFLICT (role) DO UPDATE SET epoch = l.epoch + 1, holder = excluded.holder,
         acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       WHERE l.expires_at <= clock_timestamp()
       RETURNING epoch`,
      [role, holder, ttlMs],
    );
    const row = rows[0];
    return row ? { role, epoch: Number(row.epoch), holder } : undefined;
  }

  async renew(grant: LeaseGrant, ttlMs: number): Promise<boolean> {
    const rows = await this.query(
      `renewing the ${grant.role} lease`,
      `UPDATE journey.leases SET expires_at = clock_timestamp() + ${INTERVAL}
       WHERE role = $1 AND epoch = $2 RETURNING 1`,
      [grant.role, grant.epoch, ttlMs],
    );
    return rows.length === 1;
  }

  async release(grant: LeaseGrant): Promise<void> {
    await this.query(
      `releasing the ${grant.role} lease`,
      'UPDATE journey.leases SET expires_at = least(expires_at, clock_timestamp()) WHERE role = $1 AND epoch = $2',
      [grant.role, grant.epoch],
    );
  }

  async current(role: string): Promise<LeaseState | undefined> {
    const rows = await this.query<{ epoch: string; holder: string; expires_in_ms: number }>(
      `reading the ${role} lease`,
      `SELECT epoch, holder,
         greatest(0, ceil(extract(epoch FROM expires_at - clock_timestamp()) * 1000))::float8 AS expires_in_ms
       FROM journey.leases WHERE role = $1`,
      [role],
    );
    const row = rows[0];
    return row && { role, epoch: Number(row.epoch), holder: row.holder, expiresInMs: row.expires_in_ms };
  }

  async close(): Promise<void> {}

  private async query<R extends pg.QueryResultRow>(doing: string, sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw connectionLostError(error, undefined, doing);
    }
  }
}
