import { join } from 'node:path';
import Database from 'better-sqlite3';
import { JOURNEY_STREAM_PREFIX } from '../../domain/journey/journeyEvent.ts';
import type { SoakTraffic } from './soakTraffic.ts';

export type SoakAudit = {
  /** events the collector acknowledged that must become a journey event */
  readonly acknowledged: number;
  /** of those, with no journey event on a user's stream */
  readonly lost: number;
  /** events with more than one journey event */
  readonly duplicated: number;
  readonly probesFound: number;
  /** a few messageIds of each kind, to start looking */
  readonly examples: { readonly lost: string[]; readonly duplicated: string[] };
};

/**
 * The store audit of testing/reliability/storeAudit.ts, for the soak's traffic: reads every
 * journey event appended after the preload (streamed, as a preloaded store holds a million) and
 * counts each source messageId, so every acknowledged event must be found exactly once. Copies of
 * an anonymous journey carry their source's messageId and count; the anonymous original does not.
 */
export const auditSoakStore = (
  dataDir: string,
  afterPosition: number,
  traffic: SoakTraffic,
  acked: { has(n: number): boolean },
): SoakAudit => {
  const counts = new Uint8Array(traffic.count);
  let probesFound = 0;
  const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[number, number, string], { metadata: string }>(
        'SELECT metadata FROM events WHERE position > ? AND substr(stream_id, 1, ?) = ?',
      )
      .iterate(afterPosition, JOURNEY_STREAM_PREFIX.length, JOURNEY_STREAM_PREFIX);
    for (const row of rows) {
      const { sourceMessageIds } = JSON.parse(row.metadata) as { sourceMessageIds: string[] };
      for (const id of sourceMessageIds) {
        const n = traffic.numberOf(id);
        if (n !== undefined) counts[n] = Math.min(255, (counts[n] ?? 0) + 1);
        else if (id.startsWith(`probe-${traffic.runId}-`)) probesFound++;
      }
    }
  } finally {
    db.close();
  }
  let acknowledged = 0;
  const lost: string[] = [];
  const duplicated: string[] = [];
  let lostCount = 0;
  let duplicatedCount = 0;
  for (let n = 0; n < traffic.count; n++) {
    const count = counts[n] ?? 0;
    if (count > 1) {
      duplicatedCount++;
      if (duplicated.length < 5) duplicated.push(`${traffic.runId}-${n}`);
    }
    if (!acked.has(n) || !traffic.expectsJourneyEvent(n, acked)) continue;
    acknowledged++;
    if (count === 0) {
      lostCount++;
      if (lost.length < 5) lost.push(`${traffic.runId}-${n}`);
    }
  }
  return { acknowledged, lost: lostCount, duplicated: duplicatedCount, probesFound, examples: { lost, duplicated } };
};
