import type { StoredDelivery } from '../../../application/ports/automationStore/automationStore.ts';
import type { AutomationTimer } from '../../../domain/automations/automationTriggers.ts';
import type { SqliteDatabase } from '../openDatabase.ts';
import { ensureIndexes, type SecondaryIndex } from '../secondaryIndexes.ts';

/**
 * `automations.db`: the projection's state (users, timers: a rebuild drops them) and the outbox
 * (`automation_deliveries`: one row per delivery id, kept across rebuilds so nothing is sent
 * twice). Instants are `toISOString` text so they compare as time.
 */
export type AutomationStateTableNames = { readonly users: string; readonly timers: string };

/** the live state tables; a rebuild writes the same tables under other names */
export const LIVE_AUTOMATION_STATE_TABLES: AutomationStateTableNames = {
  users: 'automation_users',
  timers: 'automation_timers',
};

export const AUTOMATION_CHECKPOINTS = 'automation_checkpoints';

/** the timers' secondary indexes; a rebuild creates them under `<name>__v<version>` */
export const automationStateIndexes = (t: AutomationStateTableNames): readonly SecondaryIndex[] => [
  { name: 'automation_timers_waiting', table: t.timers, columns: 'due_at', where: "status = 'waiting'" },
  { name: 'automation_timers_user', table: t.timers, columns: 'user_id', where: "status = 'waiting'" },
];

const stateSchemaSql = (t: AutomationStateTableNames): string => `
CREATE TABLE IF NOT EXISTS ${t.users} (
  user_id TEXT PRIMARY KEY,
  state TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${t.timers} (
  id TEXT PRIMARY KEY,
  automation_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  started_at TEXT NOT NULL,
  due_at TEXT NOT NULL,
  data TEXT NOT NULL,
  status TEXT NOT NULL
) WITHOUT ROWID;`;

const outboxSchemaSql = `
CREATE TABLE IF NOT EXISTS automation_deliveries (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  automation_id TEXT NOT NULL,
  action TEXT NOT NULL,
  user_id TEXT NOT NULL,
  triggered_at TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  delivered_at TEXT
);
DROP INDEX IF EXISTS automation_deliveries_pending;
CREATE INDEX IF NOT EXISTS automation_deliveries_due ON automation_deliveries (seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS automation_deliveries_by_automation ON automation_deliveries (automation_id, seq);
CREATE TABLE IF NOT EXISTS ${AUTOMATION_CHECKPOINTS} (
  projection TEXT PRIMARY KEY,
  position TEXT NOT NULL
);`;

export type DeliveryRow = {
  readonly id: string;
  readonly automation_id: string;
  readonly action: string;
  readonly user_id: string;
  readonly triggered_at: string;
  readonly payload: string;
  readonly created_at: string;
  readonly status: string;
  readonly attempts: number;
  readonly next_attempt_at: string;
  readonly last_error: string | null;
  readonly delivered_at: string | null;
};

export type TimerRow = {
  readonly id: string;
  readonly automation_id: string;
  readonly user_id: string;
  readonly event_id: string;
  readonly event_type: string;
  readonly started_at: string;
  readonly due_at: string;
  readonly data: string;
};

export const toStoredDelivery = (row: DeliveryRow): StoredDelivery => ({
  id: row.id,
  automationId: row.automation_id,
  action: row.action as StoredDelivery['action'],
  userId: row.user_id,
  triggeredAt: row.triggered_at,
  payload: JSON.parse(row.payload) as StoredDelivery['payload'],
  createdAt: row.created_at,
  status: row.status as StoredDelivery['status'],
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  ...(row.last_error === null ? {} : { lastError: row.last_error }),
  ...(row.delivered_at === null ? {} : { deliveredAt: row.delivered_at }),
});

export const toTimer = (row: TimerRow): AutomationTimer => ({
  id: row.id,
  automationId: row.automation_id,
  userId: row.user_id,
  eventId: row.event_id,
  eventType: row.event_type,
  startedAt: row.started_at,
  dueAt: row.due_at,
  data: JSON.parse(row.data) as unknown,
});

export const prepareAutomationStatements = (
  db: SqliteDatabase,
  t: AutomationStateTableNames = LIVE_AUTOMATION_STATE_TABLES,
  options: { readonly deferIndexes?: boolean } = {},
) => {
  db.exec(stateSchemaSql(t));
  db.exec(outboxSchemaSql);
  // a rebuilt timers table keeps its indexes as `<name>__v<version>`: never create them twice
  if (!options.deferIndexes) ensureIndexes(db, automationStateIndexes(t));
  return {
    checkpoint: db.prepare<[string], { position: string }>(
      'SELECT position FROM automation_checkpoints WHERE projection = ?',
    ),
    storeCheckpoint: db.prepare<[string, string]>(
      'INSERT INTO automation_checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
    ),
    deleteCheckpoint: db.prepare<[string]>('DELETE FROM automation_checkpoints WHERE projection = ?'),
    getUser: db.prepare<[string], { state: string }>(`SELECT state FROM ${t.users} WHERE user_id = ?`),
    putUser: db.prepare<[string, string]>(
      `INSERT INTO ${t.users} (user_id, state) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET state = excluded.state`,
    ),
    waitingTimers: db.prepare<[string], TimerRow>(
      `SELECT * FROM ${t.timers} WHERE user_id = ? AND status = 'waiting' ORDER BY due_at, id`,
    ),
    startTimer: db.prepare<[string, string, string, string, string, string, string, string]>(
      `INSERT INTO ${t.timers} (id, automation_id, user_id, event_id, event_type, started_at, due_at, data, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting') ON CONFLICT (id) DO NOTHING`,
    ),
    setTimerStatus: db.prepare<[string, string]>(
      `UPDATE ${t.timers} SET status = ? WHERE id = ? AND status = 'waiting'`,
    ),
    dueTimers: db.prepare<[string, number], TimerRow>(
      `SELECT * FROM ${t.timers} WHERE status = 'waiting' AND due_at <= ? ORDER BY due_at, id LIMIT ?`,
    ),
    enqueue: db.prepare<[string, string, string, string, string, string, string, string]>(
      `INSERT INTO automation_deliveries (id, automation_id, action, user_id, triggered_at, payload, created_at, status, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (id) DO NOTHING`,
    ),
    get: db.prepare<[string], DeliveryRow>('SELECT * FROM automation_deliveries WHERE id = ?'),
    due: db.prepare<[string, number], DeliveryRow>(
      "SELECT * FROM automation_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY seq LIMIT ?",
    ),
    beginAttempt: db.prepare<[string], { attempts: number }>(
      'UPDATE automation_deliveries SET attempts = attempts + 1 WHERE id = ? RETURNING attempts',
    ),
    retryLater: db.prepare<[string, string, string]>(
      "UPDATE automation_deliveries SET last_error = ?, next_attempt_at = ? WHERE id = ? AND status = 'pending'",
    ),
    markDelivered: db.prepare<[string, string]>(
      "UPDATE automation_deliveries SET status = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ?",
    ),
    markFailed: db.prepare<[string, string, string]>(
      "UPDATE automation_deliveries SET status = 'failed', last_error = ?, delivered_at = ? WHERE id = ? AND status = 'pending'",
    ),
    retry: db.prepare<[string, string]>(
      "UPDATE automation_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, delivered_at = NULL WHERE id = ? AND status = 'failed'",
    ),
    list: db.prepare<[{ automation: string | null; status: string | null; limit: number }], DeliveryRow>(
      `SELECT * FROM automation_deliveries
       WHERE (@automation IS NULL OR automation_id = @automation) AND (@status IS NULL OR status = @status)
       ORDER BY seq DESC LIMIT @limit`,
    ),
    counts: db.prepare<[], { automationId: string; status: string; count: number }>(
      `SELECT automation_id AS automationId, status, COUNT(*) AS count FROM automation_deliveries
       GROUP BY automation_id, status ORDER BY automation_id, status`,
    ),
    clearState: () => db.exec(`DELETE FROM ${t.users}; DELETE FROM ${t.timers};`),
  };
};

export type AutomationStatements = ReturnType<typeof prepareAutomationStatements>;
