import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

/** the store's journey events, per user: event ids in log order */
export const journeyEventsByUser = (dataDir: string): Map<string, string[]> => {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[], { stream_id: string; event_id: string }>(
        "SELECT stream_id, event_id FROM events WHERE substr(stream_id, 1, 8) = 'journey-' ORDER BY position",
      )
      .all();
    const byUser = new Map<string, string[]>();
    for (const row of rows) {
      const userId = row.stream_id.slice('journey-'.length);
      byUser.set(userId, [...(byUser.get(userId) ?? []), row.event_id]);
    }
    return byUser;
  } finally {
    db.close();
  }
};

/** the commit number of a stored position (`commit/prepare`), or -1 for none */
export const commitOf = (position: string | null | undefined): number =>
  position ? Number(position.slice(0, position.indexOf('/'))) : -1;

/** the checkpoints of the read models and the alert projection in PostgreSQL, by projection */
export const postgresCheckpoints = async (url: string): Promise<Record<string, number>> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ projection: string; position: string | null }>(
      `SELECT projection, position FROM journey.read_model_checkpoints
       UNION ALL SELECT projection, position FROM journey.alert_checkpoints`,
    );
    return Object.fromEntries(rows.map((r) => [r.projection, commitOf(r.position)]));
  } finally {
    await client.end();
  }
};

export type PostgresReadSideAudit = {
  /** users whose event count differs from their events in the store, with both */
  readonly wrongCounts: string[];
  /** store events missing from the timeline */
  readonly notInTimeline: number;
  /** timeline rows that are no journey event of the store */
  readonly extraInTimeline: number;
  /** users whose timeline lists their events in another order than the store */
  readonly timelineOutOfOrder: string[];
  /** alert keys in the outbox more than once, or sign-ups without their alert */
  readonly alertsMissing: string[];
  readonly timelineRows: number;
  readonly users: number;
};

/**
 * Compares the read models in PostgreSQL with what a clean projection of the store gives:
 * each user's event count and timeline (the same events, in the same order), and one
 * sign-up alert per user in the outbox.
 */
export const auditPostgresReadSide = async (url: string, dataDir: string): Promise<PostgresReadSideAudit> => {
  const store = journeyEventsByUser(dataDir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counts = await client.query<{ user_id: string; event_count: number }>(
      'SELECT user_id, event_count FROM journey.users',
    );
    const counted = new Map(counts.rows.map((r) => [r.user_id, r.event_count]));
    const wrongCounts = [...new Set([...store.keys(), ...counted.keys()])]
      .filter((u) => (store.get(u)?.length ?? 0) !== (counted.get(u) ?? 0))
      .map((u) => `${u}: ${counted.get(u) ?? 0} counted, ${store.get(u)?.length ?? 0} stored`);
    const timeline = await client.query<{ user_id: string; event_id: string }>(
      'SELECT user_id, event_id FROM journey.timeline ORDER BY user_id, occurred_at, seq',
    );
    const shown = new Map<string, string[]>();
    for (const row of timeline.rows) shown.set(row.user_id, [...(shown.get(row.user_id) ?? []), row.event_id]);
    const inStore = new Set([...store.values()].flat());
    const inTimeline = new Set(timeline.rows.map((r) => r.event_id));
    const outbox = await client.query<{ key: string; n: number }>(
      "SELECT key, count(*)::int AS n FROM journey.alert_outbox WHERE kind = 'signup' GROUP BY key",
    );
    const alerts = new Map(outbox.rows.map((r) => [r.key, r.n]));
    return {
      wrongCounts,
      notInTimeline: [...inStore].filter((id) => !inTimeline.has(id)).length,
      extraInTimeline: [...inTimeline].filter((id) => !inStore.has(id)).length,
      timelineOutOfOrder: [...store].filter(([u, ids]) => (shown.get(u) ?? []).join() !== ids.join()).map(([u]) => u),
      alertsMissing: [...store.keys()].filter((u) => alerts.get(`signup:${u}`) !== 1),
      timelineRows: timeline.rows.length,
      users: counted.size,
    };
  } finally {
    await client.end();
  }
};
