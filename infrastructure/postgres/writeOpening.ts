import type pg from 'pg';
import { type Position, positionFromString, positionToString } from '../../application/ports/eventStore/eventStore.ts';
import type { LeaseGrant } from '../../application/ports/lease/lease.ts';
import { fenceStatement, throwUnlessHeld } from './lease/fenceStatement.ts';

/** a projection's checkpoint row, as openWrite locks it and commitWrite moves it */
export type CheckpointRow = {
  readonly projection: string;
  /** `journey`, or a rebuild's shadow schema */
  readonly schema?: string;
  readonly table: 'read_model_checkpoints' | 'session_checkpoints' | 'alert_checkpoints' | 'automation_checkpoints';
};

/** what a write transaction does before its work, all in its first round trip */
export type WriteOpening = {
  /** names the write in a LeaseLostError */
  readonly doing: string;
  /**
   * a read model's transaction: its commit does not wait for the WAL to reach the disk
   * (`synchronous_commit` off for this transaction only), as the SQLite read models commit with
   * synchronous=NORMAL. A read model is rebuilt from the store: a crash loses at most the last few
   * hundred milliseconds of commits, each whole with its checkpoint, and the projection applies
   * them again. Not for what acts outside (the alert and automation outboxes), whose commits stay durable.
   */
  readonly readModel?: boolean;
  /** writers sharing this advisory lock take turns, as SQLite's BEGIN IMMEDIATE makes them */
  readonly turnLock?: string;
  /** the fence of the role writing: refused with LeaseLostError once its epoch is gone */
  readonly fence?: LeaseGrant;
  /** the checkpoint row, locked (made if missing); its position is returned */
  readonly checkpoint?: CheckpointRow;
};

const table = (row: CheckpointRow): string => `${row.schema ?? 'journey'}.${row.table}`;

/**
 * BEGIN, the writers' turn, the fence and the checkpoint row locked, in one round trip: a simple
 * query of several statements, its few values escaped literals (they are ours: role and
 * projection names, a number). Each round trip of a projection's write waited for the process's
 * event loop and for a server process on a busy machine; four of them were this prologue.
 * Returns the checkpoint's position (null when it has none, or none was asked for).
 */
export const openWrite = async (client: pg.ClientBase, opening: WriteOpening): Promise<Position | null> => {
  const statements = opening.readModel ? ['BEGIN', 'SET LOCAL synchronous_commit TO off'] : ['BEGIN'];
  if (opening.turnLock !== undefined) statements.push(`SELECT pg_advisory_xact_lock(${opening.turnLock})`);
  const fenceAt = opening.fence ? statements.push(fenceStatement(client, opening.fence.role)) - 1 : -1;
  const { checkpoint } = opening;
  const checkpointAt = checkpoint ? statements.push(lockCheckpointSql(client, checkpoint)) - 1 : -1;
  const answer = (await client.query(statements.join('; '))) as unknown as pg.QueryResult | pg.QueryResult[];
  const results = Array.isArray(answer) ? answer : [answer];
  if (opening.fence) throwUnlessHeld(results[fenceAt]?.rows ?? [], opening.fence, opening.doing);
  return positionIn(results[checkpointAt]?.rows[0]);
};

/**
 * The checkpoint row locked on a round trip of its own, in a transaction already begun: a rebuild
 * holding off the live writers while it swaps. Returns its position, as openWrite does.
 */
export const lockCheckpoint = async (client: pg.ClientBase, row: CheckpointRow): Promise<Position | null> =>
  positionIn((await client.query(lockCheckpointSql(client, row))).rows[0]);

const positionIn = (row: { position?: string | null } | undefined): Position | null =>
  row?.position == null ? null : positionFromString(row.position);

/** an outbox's checkpoint position is never null: its row is made by its first store, and locked if there */
const lockCheckpointSql = (client: pg.ClientBase, row: CheckpointRow): string => {
  const projection = client.escapeLiteral(row.projection);
  return row.table === 'alert_checkpoints' || row.table === 'automation_checkpoints'
    ? `SELECT position FROM ${table(row)} WHERE projection = ${projection} FOR UPDATE`
    : `INSERT INTO ${table(row)} AS c (projection, position) VALUES (${projection}, NULL)
       ON CONFLICT (projection) DO UPDATE SET position = c.position RETURNING position`;
};

/** the checkpoint moved and COMMIT, in one round trip */
export const commitWrite = async (
  client: pg.ClientBase,
  checkpoint?: CheckpointRow & { readonly to: Position },
): Promise<void> => {
  await client.query(
    checkpoint === undefined
      ? 'COMMIT'
      : `UPDATE ${table(checkpoint)} SET position = ${client.escapeLiteral(positionToString(checkpoint.to))}
         WHERE projection = ${client.escapeLiteral(checkpoint.projection)}; COMMIT`,
  );
};
