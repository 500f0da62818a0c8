import { join } from 'node:path';
import Database from 'better-sqlite3';
import { journeyProcess } from '../journey/journeyProcess.ts';
import { sleep } from '../sleep.ts';
import { tempDataDir } from '../tempDataDir.ts';
import type { JourneyCluster } from './journeyCluster.ts';
import { checkpointsOf, hashReadModels } from './storeAudit.ts';

const journeyHead = (dataDir: string): { count: number; head: string | undefined } => {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare<[], { n: number; head: number | null }>(
        "SELECT COUNT(*) AS n, MAX(position) AS head FROM events WHERE substr(stream_id, 1, 8) = 'journey-'",
      )
      .get();
    return { count: row?.n ?? 0, head: row?.head ? `${row.head}/${row.head}` : undefined };
  } finally {
    db.close();
  }
};

/** every projection of the data directory has applied the newest journey event */
export const projectionsCaughtUp = (dataDir: string, projections: readonly string[]): boolean => {
  const { head } = journeyHead(dataDir);
  const checkpoints = checkpointsOf(dataDir);
  return head !== undefined && projections.every((p) => checkpoints[p] === head);
};

export const PROJECTIONS = ['users', 'timeline', 'alerts'] as const;

/**
 * Waits until the mappers have acknowledged every raw event and at least `expected` journey
 * events are stored, and (with `projections`) until each has applied the newest one. Gives
 * up after `timeoutMs` without throwing: the audit that follows then says what is missing.
 */
export const pipelineDrained = async (
  cluster: JourneyCluster,
  expected: number,
  options: { timeoutMs: number; projections?: readonly string[] },
): Promise<boolean> => {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    const pending = await cluster.mapperPending().catch(() => Number.POSITIVE_INFINITY);
    if (pending === 0 && journeyHead(cluster.dataDir).count >= expected) {
      if (!options.projections || projectionsCaughtUp(cluster.dataDir, options.projections)) return true;
    }
    await sleep(250);
  }
  return false;
};

/**
 * A clean rebuild: copies the store (all writers stopped), runs a fresh `journey projector`
 * over the copy in a data directory of its own until it has applied everything, and returns
 * the hashes of the read models it built.
 */
export const rebuiltReadModelHashes = async (
  storeDir: string,
  env: Record<string, string>,
): Promise<Record<string, string>> => {
  const data = await tempDataDir('rebuild');
  const dir = data.dir;
  try {
    const source = new Database(join(storeDir, 'events.db'), { readonly: true, fileMustExist: true });
    try {
      await source.backup(join(dir, 'events.db'));
    } finally {
      source.close();
    }
    const projector = journeyProcess('rebuild projector', ['projector'], () => ({
      ...env,
      JOURNEY_DATA_DIR: dir,
      PORT: '0',
    }));
    await projector.start();
    try {
      const deadline = Date.now() + 300_000;
      while (!projectionsCaughtUp(dir, PROJECTIONS)) {
        if (Date.now() > deadline) throw new Error(`the rebuild did not catch up in 300 s:\n${projector.output()}`);
        await sleep(250);
      }
    } finally {
      await projector.stop();
    }
    return hashReadModels(dir);
  } finally {
    await data.remove();
  }
};
