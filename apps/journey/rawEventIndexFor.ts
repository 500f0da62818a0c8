import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RawEventRecorder } from '../../application/explorer/rawEventRecorder.ts';
import type { MappedListener } from '../../application/mapping/mapRawEvents.ts';
import type { RawEventIndex } from '../../application/ports/rawEventIndex/rawEventIndex.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { SqliteRawEventIndex } from '../../infrastructure/sqlite/rawEventIndex/sqliteRawEventIndex.ts';

/** The explorer's index: rawevents.db under JOURNEY_DATA_DIR whichever read side, as there is no PostgreSQL adapter yet. */
export const rawEventIndexFor = (config: JourneyConfig): RawEventIndex =>
  new SqliteRawEventIndex(join(config.JOURNEY_DATA_DIR, 'rawevents.db'));

/**
 * For a command that maps outside the mapper (remap, a dead-letter replay): `use` gets the listener
 * that keeps the explorer's index up to date, flushed and closed afterwards; none where there is no
 * data directory to keep it in.
 */
export const withRawEventRecorder = async <T>(
  config: JourneyConfig,
  use: (onMapped: MappedListener | undefined) => Promise<T>,
): Promise<T> => {
  if (!existsSync(config.JOURNEY_DATA_DIR)) return use(undefined);
  const index = rawEventIndexFor(config);
  const recorder = new RawEventRecorder(index);
  try {
    return await use(recorder.recordMapped);
  } finally {
    await recorder.flush();
    await index.close();
  }
};
