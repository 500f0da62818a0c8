import { existsSync } from 'node:fs';
import { RawEventRecorder } from '../../application/explorer/rawEventRecorder.ts';
import type { MappedListener } from '../../application/mapping/mapRawEvents.ts';
import type { RawEventIndex } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { readSideFor } from './readSideFor.ts';

/**
 * The explorer's index for a thread or command of its own (the index's worker thread, remap, a
 * dead-letter replay): rawevents.db under JOURNEY_DATA_DIR, or PostgreSQL when
 * JOURNEY_DATABASE_URL is set, on a pool that ends when the index is closed.
 */
export const rawEventIndexFor = (config: JourneyConfig, role: string): RawEventIndex =>
  readSideFor(config, role).rawEventIndex();

/**
 * For a command that maps outside the mapper (remap, a dead-letter replay): `use` gets the listener
 * that keeps the explorer's index up to date, flushed and closed afterwards; none where there is no
 * data directory to keep it in (and no PostgreSQL).
 */
export const withRawEventRecorder = async <T>(
  config: JourneyConfig,
  use: (onMapped: MappedListener | undefined) => Promise<T>,
): Promise<T> => {
  if (config.JOURNEY_DATABASE_URL === undefined && !existsSync(config.JOURNEY_DATA_DIR)) return use(undefined);
  const index = rawEventIndexFor(config, 'explorer index');
  const recorder = new RawEventRecorder(index);
  try {
    return await use(recorder.recordMapped);
  } finally {
    await recorder.flush();
    await index.close();
  }
};
