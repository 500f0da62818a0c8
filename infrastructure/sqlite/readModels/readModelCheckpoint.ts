import {
  comparePositions,
  type Position,
  positionFromString,
} from '../../../application/ports/eventStore/eventStore.ts';
import type { ReadModelStatements } from './readModelTables.ts';

export const samePosition = (a: Position | null, b: Position | null): boolean =>
  a === null || b === null ? a === b : comparePositions(a, b) === 0;

/** the projection's checkpoint as this connection sees it now */
export const storedCheckpoint = (stmts: ReadModelStatements, projection: string): Position | null => {
  const row = stmts.checkpoint.get(projection);
  return row === undefined ? null : positionFromString(row.position);
};
