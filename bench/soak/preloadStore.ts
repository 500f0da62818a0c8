import { join } from 'node:path';
import { loadRules } from '../../infrastructure/config/loadRules.ts';
import { eventsInsertBaseline } from '../baselines.ts';
import { eventRows, journeyDeliveries } from '../eventFactory.ts';

const CHUNK = 100_000;

/**
 * Fills `dataDir/events.db` with `count` journey events of the demo mix, written straight into the
 * events table in the mapper's order (as bench/rebuildBench.ts does): a minute, not the hour that
 * ingesting them would take. A chunk of 100k at a time with a seed of its own, so the users differ.
 * Returns the head position: the soak's own events come after it.
 */
export const preloadStore = (dataDir: string, count: number, log: (line: string) => void): number => {
  const rules = loadRules(undefined);
  const file = join(dataDir, 'events.db');
  let written = 0;
  for (let chunk = 0; written < count; chunk++) {
    const size = Math.min(CHUNK, count - written);
    eventsInsertBaseline(file, eventRows(journeyDeliveries(size, rules, 17 + chunk)));
    written += size;
    if (chunk % 2 === 1) log(`preloaded ${written.toLocaleString('en-US')} journey events`);
  }
  return written;
};
