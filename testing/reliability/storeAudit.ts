import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { seqOf } from './eventGenerator.ts';

export type StoreAudit = {
  /** journey events in the store */
  readonly journeyEvents: number;
  /** acknowledged messageIds with no journey event */
  readonly lost: string[];
  /** messageIds with more than one journey event */
  readonly duplicated: string[];
  /** journey events from messageIds nobody sent */
  readonly unknown: string[];
  /** users whose stream holds their events out of the generated order */
  readonly outOfOrder: string[];
  /** event ids of the journey events, in log order */
  readonly eventIds: string[];
  /** the position of the newest journey event, as checkpoints store it */
  readonly head: string | undefined;
};

const readOnly = (file: string) => new Database(file, { readonly: true, fileMustExist: true });

/**
 * Reads the event store file (`events.db`) of a data directory and checks it against what
 * the generator sent and what got a 200: every acknowledged event exactly once, nothing
 * else, and each user's events in the order they were sent.
 */
export const auditStore = (dataDir: string, sent: ReadonlySet<string>, acked: ReadonlySet<string>): StoreAudit => {
  const db = readOnly(join(dataDir, 'events.db'));
  try {
    const rows = db
      .prepare<[], { position: number; stream_id: string; event_id: string; metadata: string }>(
        "SELECT position, stream_id, event_id, metadata FROM events WHERE substr(stream_id, 1, 8) = 'journey-' ORDER BY position",
      )
      .all();
    const count = new Map<string, number>();
    const lastSeq = new Map<string, number>();
    const outOfOrder = new Set<string>();
    for (const row of rows) {
      const { sourceMessageIds } = JSON.parse(row.metadata) as { sourceMessageIds: string[] };
      for (const id of sourceMessageIds) {
        count.set(id, (count.get(id) ?? 0) + 1);
        // positions grow with each stream's revision, so log order is stream order
        const seq = seqOf(id);
        if ((lastSeq.get(row.stream_id) ?? -1) > seq) outOfOrder.add(row.stream_id);
        lastSeq.set(row.stream_id, seq);
      }
    }
    const last = rows[rows.length - 1];
    return {
      journeyEvents: rows.length,
      lost: [...acked].filter((id) => !count.has(id)),
      duplicated: [...count].filter(([, n]) => n > 1).map(([id]) => id),
      unknown: [...count.keys()].filter((id) => !sent.has(id)),
      outOfOrder: [...outOfOrder],
      eventIds: rows.map((r) => r.event_id),
      head: last ? `${last.position}/${last.position}` : undefined,
    };
  } finally {
    db.close();
  }
};

/** the projections' checkpoints in a data directory, by projection name */
export const checkpointsOf = (dataDir: string): Record<string, string | undefined> => {
  const read = (file: string, table: string): Record<string, string> => {
    if (!existsSync(join(dataDir, file))) return {};
    const db = readOnly(join(dataDir, file));
    try {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
      if (!exists) return {};
      const rows = db
        .prepare<[], { projection: string; position: string }>(`SELECT projection, position FROM ${table}`)
        .all();
      return Object.fromEntries(rows.map((r) => [r.projection, r.position]));
    } finally {
      db.close();
    }
  };
  return {
    ...read('readmodels.db', 'checkpoints'),
    ...read('timeline.db', 'checkpoints'),
    ...read('alerts.db', 'alert_checkpoints'),
  };
};

export type ReadModelAudit = {
  readonly timelineEvents: number;
  /** journey events missing from the timeline */
  readonly notInTimeline: number;
  /** timeline rows that are no journey event */
  readonly extraInTimeline: number;
  /** the users' event counts added up: each journey event counts once */
  readonly usersEventCount: number;
};

/** Checks that every journey event took effect exactly once in the read models. */
export const auditReadModels = (dataDir: string, eventIds: readonly string[]): ReadModelAudit => {
  const timeline = readOnly(join(dataDir, 'timeline.db'));
  const users = readOnly(join(dataDir, 'readmodels.db'));
  try {
    const inTimeline = new Set(
      timeline
        .prepare<[], { event_id: string }>('SELECT event_id FROM timeline')
        .all()
        .map((r) => r.event_id),
    );
    const inStore = new Set(eventIds);
    return {
      timelineEvents: inTimeline.size,
      notInTimeline: eventIds.filter((id) => !inTimeline.has(id)).length,
      extraInTimeline: [...inTimeline].filter((id) => !inStore.has(id)).length,
      usersEventCount: users.prepare<[], { n: number | null }>('SELECT SUM(event_count) AS n FROM users').get()?.n ?? 0,
    };
  } finally {
    timeline.close();
    users.close();
  }
};

/**
 * What a rebuild must reproduce, table by table: the read models in full, and of the alert
 * outbox what was raised (not the delivery state, which depends on Slack and on the clock).
 */
const HASHED: readonly { file: string; query: string }[] = [
  { file: 'timeline.db', query: 'SELECT * FROM timeline ORDER BY seq' },
  { file: 'timeline.db', query: 'SELECT * FROM checkpoints ORDER BY projection' },
  { file: 'readmodels.db', query: 'SELECT * FROM users ORDER BY user_id' },
  { file: 'readmodels.db', query: 'SELECT * FROM activity_days ORDER BY user_id, day' },
  { file: 'readmodels.db', query: 'SELECT * FROM checkpoints ORDER BY projection' },
  { file: 'alerts.db', query: 'SELECT * FROM alert_deployments ORDER BY deployment_id' },
  { file: 'alerts.db', query: 'SELECT * FROM alert_error_groups ORDER BY user_id, code' },
  { file: 'alerts.db', query: 'SELECT key, kind, user_id, occurred_at, parent_key, content FROM alerts ORDER BY key' },
  { file: 'alerts.db', query: 'SELECT * FROM alert_checkpoints ORDER BY projection' },
];

/** a SHA-256 per read-model table (by its query), to compare live read models with a rebuild */
export const hashReadModels = (dataDir: string): Record<string, string> => {
  const hashes: Record<string, string> = {};
  for (const { file, query } of HASHED) {
    const db = readOnly(join(dataDir, file));
    try {
      const hash = createHash('sha256');
      let rows = 0;
      for (const row of db.prepare(query).iterate()) {
        hash.update(JSON.stringify(row));
        hash.update('\n');
        rows++;
      }
      hashes[`${file}: ${query}`] = `${rows} rows, ${hash.digest('hex').slice(0, 16)}`;
    } finally {
      db.close();
    }
  }
  return hashes;
};
