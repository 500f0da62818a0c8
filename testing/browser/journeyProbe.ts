import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RunningJourney } from '../../apps/journey/startJourney.ts';
import { pipelineSettled } from '../journey/pipelineSettled.ts';
import { waitUntil } from '../waitUntil.ts';

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

/** waits until `done` holds for what `probe` answers, and returns that answer */
export const eventually = async <T>(what: string, probe: () => Promise<T> | T, done: (value: T) => boolean) => {
  let last: T | undefined;
  const check = async () => {
    last = await probe();
    return done(last);
  };
  await waitUntil(what, check, {
    timeoutMs: 10_000,
    intervalMs: 50,
    lastSeen: () => last,
  });
  return last as T;
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
