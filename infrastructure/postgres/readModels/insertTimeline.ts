import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { TimelineColumns } from './postgresBatchWriter.ts';
import { TIMELINE_COLUMNS } from './readModelRows.ts';

/** the tables of the read models are in `schema`: `journey`, or a rebuild's shadow schema */
export const copyTimelineSql = (schema: string): string => `COPY ${schema}.timeline (${TIMELINE_COLUMNS}) FROM STDIN`;
export const UNIQUE_VIOLATION = '23505';
const insertTimelineSql = (schema: string): string => `INSERT INTO ${schema}.timeline (${TIMELINE_COLUMNS})
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::jsonb[],
    $8::bigint[], $9::bigint[])
  ON CONFLICT (event_id) DO NOTHING`;

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** a value in COPY's text format; JSON text holds backslashes at most, ids may hold anything */
const field = (value: string): string =>
  /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c] ?? c) : value;

/** COPY's text format for a null */
const NULL = '\\N';

export const copyText = (t: TimelineColumns): string => {
  const lines: string[] = [];
  for (let i = 0; i < t.eventIds.length; i++) {
    lines.push(
      `${field(t.userIds[i] ?? '')}\t${t.occurredAts[i]}\t${field(t.eventIds[i] ?? '')}\t${field(t.types[i] ?? '')}\t${field(t.data[i] ?? '')}\t${field(t.ruleIds[i] ?? '')}\t${field(t.sourceMessageIds[i] ?? '')}\t${t.positionCommits[i] ?? NULL}\t${t.positionPrepares[i] ?? NULL}\n`,
    );
  }
  return lines.join('');
};

/**
 * Appends the batch's timeline entries by COPY (measured 1.35× the unnest INSERT here); an
 * eventId already stored fails the COPY, which is then undone to its savepoint and the batch
 * inserted again skipping the ids already there. In the caller's transaction.
 */
export const insertTimeline = async (client: pg.ClientBase, t: TimelineColumns, schema = 'journey'): Promise<void> => {
  if (t.eventIds.length === 0) return;
  await client.query('SAVEPOINT timeline_copy');
  try {
    await pipeline(Readable.from([copyText(t)]), client.query(copyFrom(copyTimelineSql(schema))));
    await client.query('RELEASE SAVEPOINT timeline_copy');
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT timeline_copy');
    await insertTimelineSkippingKnown(client, t, schema);
  }
};

/** the slower way, for a batch holding an eventId already stored: the first of each id wins */
export const insertTimelineSkippingKnown = async (
  client: pg.ClientBase,
  t: TimelineColumns,
  schema = 'journey',
): Promise<void> => {
  const columns = [
    t.userIds,
    t.occurredAts,
    t.eventIds,
    t.types,
    t.data,
    t.ruleIds,
    t.sourceMessageIds,
    t.positionCommits,
    t.positionPrepares,
  ];
  await client.query(insertTimelineSql(schema), columns);
};
