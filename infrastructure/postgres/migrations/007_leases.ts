import type { Migration } from './migration.ts';

/**
 * One row per singleton role (infrastructure/postgres/lease/): who holds it, until when (the
 * server's clock, so replicas' clocks need not agree) and its epoch, which fenced writes
 * check in their own transactions. The unique (role, epoch) makes the epoch a key column: a
 * takeover (a key update) waits for fenced writes holding FOR KEY SHARE, and a renewal (not a
 * key update) never does, however busy the holder is.
 */
export const leasesMigration: Migration = {
  version: 7,
  name: 'leases',
  sql: `
CREATE TABLE journey.leases (
  role text COLLATE "C" PRIMARY KEY,
  epoch bigint NOT NULL,
  holder text NOT NULL,
  acquired_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  UNIQUE (role, epoch)
);
`,
};
