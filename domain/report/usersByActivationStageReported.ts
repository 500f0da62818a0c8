import { z } from 'zod';
import { type Stage, stages } from '../stage/stage.ts';

/** The stream that records every funnel report: what was reported, and that it was. */
export const REPORT_STREAM = 'report-users-by-activation-stage';
export const REPORT_EVENT_TYPE = 'UsersByActivationStageReported';

/**
 * A stage as recorded: its count. Its users are not listed, so the event's size does not grow with
 * users; they are the users signed up by `asOf` whose stage with window `windowDays` it is, as the
 * read models answer for `asOf`. Reports recorded by earlier versions list them in `userIds`.
 */
const stageRecord = z.object({ count: z.number().int().min(0), userIds: z.array(z.string()).optional() });

export const usersByActivationStageReportedSchema = z.object({
  /** the report date D, YYYY-MM-DD, a calendar day in `timeZone` */
  date: z.iso.date(),
  timeZone: z.string(),
  /** the end of D in `timeZone`, ISO-8601 UTC: the funnel is as of this instant */
  asOf: z.iso.datetime(),
  /** the activity window W of the stage logic, in days */
  windowDays: z.number().int().min(1),
  /** sign-ups with event time during D */
  newSignups: z.number().int().min(0),
  stages: z.object(Object.fromEntries(stages.map((s) => [s, stageRecord])) as Record<Stage, typeof stageRecord>),
  /** a report sent again with --force for a date already recorded */
  forced: z.boolean(),
});

export type UsersByActivationStageReported = z.infer<typeof usersByActivationStageReportedSchema>;
