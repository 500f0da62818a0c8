/** One step of the schema: applied once, in version order, inside its own transaction. */
export type Migration = {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
};
