import type pg from 'pg';

/**
 * Test support for the suites that kill a lease holder: who holds which role (by the lease
 * rows), when a standby took it (`acquired_at`, the server's clock), and the p50 / max of
 * the failover times they measure.
 */
export type LeaseRow = {
  readonly role: string;
  readonly epoch: number;
  readonly holder: string;
  readonly acquiredAt: number;
};

/** the roles held now (their lease not run out), by role */
export const heldLeases = async (pool: pg.Pool): Promise<Map<string, LeaseRow>> => {
  const { rows } = await pool.query<{ role: string; epoch: string; holder: string; acquired_ms: number }>(
    `SELECT role, epoch, holder, (extract(epoch FROM acquired_at) * 1000)::float8 AS acquired_ms
     FROM journey.leases WHERE expires_at > clock_timestamp()`,
  );
  return new Map(
    rows.map((r) => [r.role, { role: r.role, epoch: Number(r.epoch), holder: r.holder, acquiredAt: r.acquired_ms }]),
  );
};

/** the OS process id in a lease holder's name (`projector on host pid 123 thread 1`) */
export const pidOf = (holder: string | undefined): number => Number(/ pid (\d+)/.exec(holder ?? '')?.[1]);

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

/** `p50 / max` in whole milliseconds, or `none` */
export const p50AndMax = (values: readonly number[]): string =>
  values.length === 0 ? 'none' : `${Math.round(percentile(values, 50))} / ${Math.round(Math.max(...values))}`;

/**
 * The earliest `time` of a projector's "applied its first batch of <projection> at epoch <n>"
 * log line with n above `epoch`, in any of `outputs`; undefined while there is none.
 */
export const firstBatchAfter = (outputs: readonly string[], projection: string, epoch: number): number | undefined => {
  const pattern = new RegExp(`"time":(\\d+).*applied its first batch of ${projection} at epoch (\\d+)`);
  const times = outputs
    .flatMap((output) => output.split('\n'))
    .map((line) => pattern.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) > epoch)
    .map((m) => Number(m[1]));
  return times.length === 0 ? undefined : Math.min(...times);
};
