import type pg from 'pg';
import { JourneyQueries } from '../application/queries/journeyQueries.ts';
import { PostgresReadModels } from '../infrastructure/postgres/readModels/postgresReadModels.ts';
import { type QueryLatencies, withP99 } from './rebuildBench.ts';

export type PostgresQueryLatencies = Pick<QueryLatencies, 'funnel' | 'journey' | 'rawJourney' | 'users'>;

/**
 * The API's funnel and journey queries on read models a catch-up left in PostgreSQL, sampled as
 * the SQLite figure is (funnels at any instant of the data's span, journeys of random users), beside
 * a raw `SELECT` of one user's timeline by the same index.
 */
export const postgresQueryLatencies = async (
  pool: pg.Pool,
  options: { readonly funnels: number; readonly journeys: number; readonly windowDays: number },
): Promise<PostgresQueryLatencies> => {
  const readModels = await PostgresReadModels.open(pool, { windowDays: options.windowDays });
  try {
    const queries = new JourneyQueries(readModels, options.windowDays);
    const ids = (await pool.query<{ user_id: string }>('SELECT user_id FROM journey.users')).rows.map((r) => r.user_id);
    const span = (
      await pool.query<{ first: Date | null; last: Date | null }>(
        'SELECT min(first_seen_at) AS first, max(last_seen_at) AS last FROM journey.users',
      )
    ).rows[0];
    const first = span?.first?.getTime() ?? Date.parse('2026-03-10T00:00:00Z');
    const last = span?.last?.getTime() ?? Date.parse('2026-03-11T00:00:00Z');
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const instant = () => new Date(first + random() * (last - first + 86_400_000)).toISOString();
    const funnel: number[] = [];
    for (let i = 0; i < options.funnels; i++) {
      const asOf = instant();
      const t = performance.now();
      await queries.funnel(asOf);
      funnel.push(performance.now() - t);
    }
    const journey: number[] = [];
    const rawJourney: number[] = [];
    for (let i = 0; i < options.journeys; i++) {
      const userId = ids[Math.floor(random() * ids.length)] ?? '';
      let t = performance.now();
      await queries.journey(userId, last);
      journey.push(performance.now() - t);
      t = performance.now();
      await pool.query({
        name: 'bench-raw-journey',
        text: 'SELECT * FROM journey.timeline WHERE user_id = $1 ORDER BY occurred_at, seq',
        values: [userId],
      });
      rawJourney.push(performance.now() - t);
    }
    return { funnel: withP99(funnel), journey: withP99(journey), rawJourney: withP99(rawJourney), users: ids.length };
  } finally {
    await readModels.close();
  }
};
