import type { UsersByActivationStageReported } from '../../domain/report/usersByActivationStageReported.ts';
import type { Stage } from '../../domain/stage/stage.ts';

/** the days up to the report's as-of instant whose sessions each user's line counts */
export const REPORT_SESSION_DAYS = 15;

/** A user's sessions that started in the REPORT_SESSION_DAYS up to as-of, their time cut at as-of. */
export type ReportUserSessions = { readonly count: number; readonly durationMs: number };

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
  /** undefined when the sessions read model could not be read for this user's page (shown as "—") */
  readonly sessions?: ReportUserSessions;
};

/** A stage's figures: what a report shows before its users. */
export type StageFigures = {
  readonly stage: Stage;
  readonly count: number;
  /** the count at the end of the day before */
  readonly previousCount: number;
  /** one point per day, oldest first, ending with the report date */
  readonly trend: readonly { readonly date: string; readonly count: number }[];
};

/** the users a stage report carries besides its count: the first ones, in report order */
export const FIRST_USERS_KEPT = 50;

export type StageReport = StageFigures & {
  /**
   * The first (at most FIRST_USERS_KEPT) users of the stage, newest sign-up first: what Slack lists
   * in the thread. Every user is only in the stage's document, laid out as the users were read.
   */
  readonly firstUsers: readonly ReportUser[];
};

/** The recorded event plus each stage's figures: what the documents are started with. */
export type FunnelFigures = {
  readonly recorded: UsersByActivationStageReported;
  readonly stages: readonly StageFigures[];
};

/** Everything one day's report shows: the recorded event plus the details the PDFs and Slack need. */
export type FunnelReport = {
  readonly recorded: UsersByActivationStageReported;
  readonly stages: readonly StageReport[];
};

/** A rendered document, as a file. */
export type RenderedDocument = {
  readonly path: string;
  readonly byteLength: number;
};

/** One report's documents, one per stage, filled as the users are read. */
export interface ReportDocuments {
  /** lays out the next user of `stage`; users come in report order */
  add(stage: Stage, user: ReportUser): void;
  /** finishes every document; resolves once their files are complete */
  end(): Promise<ReadonlyMap<Stage, RenderedDocument>>;
  /** removes the files, unless the renderer was asked to keep finished ones */
  discard(): Promise<void>;
}

/** Renders a report's stages as documents (PDFs with pdfkit), streaming each user into its file. */
export interface ReportRenderer {
  start(figures: FunnelFigures): ReportDocuments;
}

/** How a report is published: fresh, or finishing one that was cut off part way. */
export type PublishOptions = {
  /**
   * a report whose record is older than this run (a reporter died while posting it): look up what
   * is already there (each stage's message from `since`, the replies in its thread) and post only the rest
   */
  readonly resume?: { readonly since: string };
  /** called right before each message that cannot be taken back; throws to stop (the lease is gone) */
  readonly beforePost?: () => void;
};

/** Delivers a rendered report (Slack, or files for a dry run). */
export interface ReportPublisher {
  /** fails, saying what to fix, when publishing cannot work (unknown channel, bad token); called before recording */
  check(): Promise<void>;
  publish(
    report: FunnelReport,
    documents: ReadonlyMap<Stage, RenderedDocument>,
    options?: PublishOptions,
  ): Promise<void>;
}

export const ReportRendererToken = Symbol.for('journey.ReportRenderer');
export const ReportPublisherToken = Symbol.for('journey.ReportPublisher');
