export type GrafanaTimeRange = {
  /** ISO instants, as Grafana puts them into a query */
  readonly from: string;
  readonly to: string;
};

/**
 * Test support: Grafana's PostgreSQL macros expanded as Grafana expands them, for the few a
 * dashboard here uses; any other macro or variable throws, so a panel never runs half-filled.
 */
export const expandGrafanaSqlMacros = (sql: string, range: GrafanaTimeRange): string => {
  const expanded = sql
    .replace(
      /\$__timeFilter\(([^)]+)\)/g,
      (_all, column: string) => `${column.trim()} BETWEEN '${range.from}' AND '${range.to}'`,
    )
    .replace(/\$__timeFrom\(\)/g, `'${range.from}'`)
    .replace(/\$__timeTo\(\)/g, `'${range.to}'`);
  const unknown = /\$__\w+|\$\{[^}]*\}|\$[A-Za-z_]\w*/.exec(expanded);
  if (unknown)
    throw new Error(`the query uses ${unknown[0]}, which expandGrafanaSqlMacros does not know; add it there:\n${sql}`);
  return expanded;
};
