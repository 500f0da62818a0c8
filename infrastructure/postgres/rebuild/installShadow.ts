import type pg from 'pg';
import { type Position, positionToString } from '../../../application/ports/eventStore/eventStore.ts';
import { pointCatalogueAtLiveTables } from './catalogueSwap.ts';
import { moveShadowIn } from './shadowSchema.ts';

export type ShadowInstallation = {
  readonly projection: string;
  readonly shadowSchema: string;
  /** where the live tables go until they are dropped, in the same transaction */
  readonly retiredSchema: string;
  readonly tables: readonly string[];
  readonly checkpointTable: string;
  readonly checkpoint: Position | null;
  readonly version: number;
};

/**
 * The swap's last step, in its transaction: the shadow's tables in schema `journey` instead of
 * the live ones, the catalogue's views bound to them, the old tables dropped (a view of
 * someone's own on them stops the swap rather than go with them), the checkpoint and version moved.
 */
export const installShadow = async (client: pg.ClientBase, i: ShadowInstallation): Promise<void> => {
  await moveShadowIn(client, i.shadowSchema, i.retiredSchema, i.tables);
  await pointCatalogueAtLiveTables(client, i.tables);
  await client.query(`DROP TABLE ${i.tables.map((t) => `${i.retiredSchema}.${t}`).join(', ')}`);
  await client.query(`DROP SCHEMA ${i.retiredSchema}`);
  const table = `journey.${i.checkpointTable}`;
  if (i.checkpoint === null) await client.query(`DELETE FROM ${table} WHERE projection = $1`, [i.projection]);
  else
    await client.query(
      `INSERT INTO ${table} (projection, position) VALUES ($1, $2)
       ON CONFLICT (projection) DO UPDATE SET position = excluded.position`,
      [i.projection, positionToString(i.checkpoint)],
    );
  await client.query(
    `INSERT INTO journey.projection_rebuilds (projection, version, installed_at) VALUES ($1, $2, now())
     ON CONFLICT (projection) DO UPDATE SET version = excluded.version, installed_at = excluded.installed_at`,
    [i.projection, i.version],
  );
};
