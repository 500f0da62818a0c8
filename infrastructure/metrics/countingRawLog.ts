import type { RawLog } from '../../application/ports/rawLog/rawLog.ts';
import type { JourneyMetrics } from './journeyMetrics.ts';

/**
 * The raw log with the ingest counters moved by its calls: stored and duplicate events by `publish`,
 * dead letters by `reject` (labelled with the refusing stage); the rest passes through. Counting at
 * the port catches the collector's and the mapper's refusals in any process.
 */
export const countingRawLog = <T extends RawLog>(rawLog: T, metrics: JourneyMetrics): T =>
  new Proxy(rawLog, {
    get(target, property, receiver) {
      if (property === 'publish') {
        return async (...args: Parameters<RawLog['publish']>) => {
          const receipt = await target.publish(...args);
          metrics.eventsIngested.inc(receipt.stored);
          metrics.eventsDuplicate.inc(receipt.duplicates);
          return receipt;
        };
      }
      if (property === 'reject') {
        return async (...args: Parameters<RawLog['reject']>) => {
          await target.reject(...args);
          for (const item of args[0]) metrics.eventsRejected.inc({ stage: item.stage });
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
