import {
  REPORT_EVENT_TYPE,
  REPORT_STREAM,
  usersByActivationStageReportedSchema,
} from '../../domain/report/usersByActivationStageReported.ts';
import type { EventStore } from '../ports/eventStore/eventStore.ts';

/** a forced resend of an old date may be the newest event, so a few are read, not one */
const RECENT_REPORTS = 20;

/**
 * The end (`asOf`, ms since the epoch) of the latest day a report was recorded for, undefined
 * before the first: how far behind the daily report is, for the reporter's metrics.
 */
export const lastReportedAsOf = async (store: Pick<EventStore, 'readStream'>): Promise<number | undefined> => {
  const events = await store.readStream(REPORT_STREAM, { direction: 'backwards', maxCount: RECENT_REPORTS });
  const asOfs = events
    .filter((e) => e.type === REPORT_EVENT_TYPE)
    .map((e) => Date.parse(usersByActivationStageReportedSchema.parse(e.data).asOf));
  return asOfs.length === 0 ? undefined : Math.max(...asOfs);
};
