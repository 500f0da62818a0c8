import type { UsersByActivationStageReported } from '../../domain/report/usersByActivationStageReported.ts';
import type { Stage } from '../../domain/stage/stage.ts';

/** One user as the report shows them. */
export type ReportUser = {
  readonly userId: string;
  readonly email?: string;
  readonly name?: string;
  readonly signedUpAt: string;
  /** latest meaningful activity at or before the report's as-of instant */
  readonly lastActivityAt: string | null;
  /** the newest journey events at or before as-of, newest first */
  readonly latestEvents: readonly { readonly type: string; readonly occurredAt: string }[];
};

export type StageReport = {
  readonly stage: Stage;
  readonly count: number;
  /** the count at the end of the day before */
  readonly previousCount: number;
  /** one point per day, oldest first, ending with the report date */
  readonly trend: readonly { readonly date: string; readonly count: number }[];
  readonly users: readonly ReportUser[];
};

/** Everything one day's report shows: the recorded event plus the details the PDFs and Slack need. */
export type FunnelReport = {
  readonly recorded: UsersByActivationStageReported;
  readonly stages: readonly StageReport[];
};

/** Renders one stage of a report as a document (a PDF with pdfkit). */
export interface ReportRenderer {
  render(report: FunnelReport, stage: Stage): Promise<Uint8Array>;
}

/** Delivers a rendered report (Slack, or files for a dry run). */
export interface ReportPublisher {
  /** fails, saying what to fix, when publishing cannot work (unknown channel, bad token); called before recording */
  check(): Promise<void>;
  publish(report: FunnelReport, documents: ReadonlyMap<Stage, Uint8Array>): Promise<void>;
}

export const ReportRendererToken = Symbol.for('journey.ReportRenderer');
export const ReportPublisherToken = Symbol.for('journey.ReportPublisher');
