import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RunningJourney } from '../../apps/journey/startJourney.ts';
import { pipelineSettled } from '../journey/pipelineSettled.ts';

export type StoredRawEvent = {
  messageId: string;
  type: string;
  event?: string;
  anonymousId?: string;
  userId?: string;
  properties?: Record<string, unknown>;
};

/**
 * What the collector stored, read straight from raw.db (read-only): the default mapping rules
 * turn only page and identify calls from a browser into journey events, so clicks and the
 * other track events are checked here.
 */
export const rawEvents = (dataDir: string): StoredRawEvent[] => {
  const db = new Database(join(dataDir, 'raw.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT payload FROM raw_events ORDER BY seq').all() as { payload: string }[];
    return rows.map((row) => JSON.parse(row.payload) as StoredRawEvent);
  } finally {
    db.close();
  }
};

export const eventually = async <T>(what: string, probe: () => Promise<T> | T, done: (value: T) => boolean) => {
  let last: T | undefined;
  for (let i = 0; i < 200; i++) {
    last = await probe();
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not happen in 10 s; last seen: ${JSON.stringify(last, null, 1).slice(0, 2000)}`);
};

/** Waits until the mapper has read the raw log and the projector has applied what it appended. */
export const settled = (journey: RunningJourney): Promise<void> => pipelineSettled(journey);

export type JourneyAnswer = { status: number; events: { type: string; data: Record<string, unknown> }[] };

export const userJourney = async (
  journey: RunningJourney,
  apiToken: string,
  userId: string,
): Promise<JourneyAnswer> => {
  const response = await fetch(`${journey.url}/api/users/${encodeURIComponent(userId)}/journey`, {
    headers: { authorization: `Bearer ${apiToken}` },
  });
  const body = (await response.json()) as { events?: JourneyAnswer['events'] };
  return { status: response.status, events: body.events ?? [] };
};
