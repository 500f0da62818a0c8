import type pg from 'pg';
import { CATALOGUE_VIEWS, createViewSql, readerGrantSql } from '../catalogue/catalogueViews.ts';

/**
 * A view binds to its tables, not to their names: after a swap the catalogue's views over the
 * swapped tables still read the retired ones. CREATE OR REPLACE binds them to the tables now
 * named so, keeping each view (its grants, and any view of an analyst's built on it); then the
 * reader's grant on them is made sure of. In the swap's transaction.
 */
export const pointCatalogueAtLiveTables = async (client: pg.ClientBase, swapped: readonly string[]): Promise<void> => {
  const views = CATALOGUE_VIEWS.filter((v) => v.tables.some((t) => swapped.includes(t)));
  if (views.length === 0) return;
  for (const view of views) await client.query(createViewSql(view, true));
  await client.query(readerGrantSql(views));
};
