import { type Position, positionFromString } from '../../../application/ports/eventStore/eventStore.ts';
import type { ReadModelStatements } from './readModelTables.ts';

/** the projection's checkpoint as this connection sees it now */
export const storedCheckpoint = (stmts: ReadModelStatements, projection: string): Position | null => {
  const row = stmts.checkpoint.get(projection);
  return row === undefined ? null : positionFromString(row.position);
};
