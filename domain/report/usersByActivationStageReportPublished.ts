import { z } from 'zod';

/**
 * Written to the report stream once every message of a recorded report is in Slack (or its files
 * written). A record that asks for this mark (`publishMark` in its metadata) and has none was cut
 * off while posting: the next reporter posts what is missing.
 */
export const REPORT_PUBLISHED_EVENT_TYPE = 'UsersByActivationStageReportPublished';

export const usersByActivationStageReportPublishedSchema = z.object({
  /** the report date, as in the record */
  date: z.iso.date(),
  /** the event id of the UsersByActivationStageReported it marks */
  reportId: z.string().min(1),
});

export type UsersByActivationStageReportPublished = z.infer<typeof usersByActivationStageReportPublishedSchema>;
