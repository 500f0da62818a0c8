import { isExpectedRevisionConflictError } from '../../domain/errors/journeyError.ts';
import { LeaseLostError } from '../../domain/errors/leaseLostError.ts';
import {
  REPORT_EVENT_TYPE,
  REPORT_STREAM,
  type UsersByActivationStageReported,
  usersByActivationStageReportedSchema,
} from '../../domain/report/usersByActivationStageReported.ts';
import type { Stage } from '../../domain/stage/stage.ts';
import type { LeaseHandle } from '../leases/leasedRole.ts';
import {
  type EventStore,
  type ExpectedRevision,
  NO_STREAM,
  type RecordedEvent,
} from '../ports/eventStore/eventStore.ts';
import type {
  FunnelReport,
  RenderedDocument,
  ReportDocuments,
  ReportPublisher,
  ReportRenderer,
} from '../ports/funnelReport.ts';
import type { Logger } from '../ports/logger.ts';
import type { ReadModelQueries } from '../ports/readModels/readModels.ts';
import type { SessionStore } from '../ports/sessionStore/sessionStore.ts';
import { buildFunnelReport, type FunnelReportOptions } from './buildFunnelReport.ts';

export type ReportRun =
  /** recorded in the stream and published */
  | { readonly kind: 'reported'; readonly report: FunnelReport }
  /** rendered and handed to the publisher, nothing recorded */
  | { readonly kind: 'dry-run'; readonly report: FunnelReport }
  /** the date is already in the stream (by this reporter or another one) */
  | { readonly kind: 'already-reported'; readonly recorded: UsersByActivationStageReported };

export type RunReportOptions = {
  /** report again a date already recorded */
  readonly force?: boolean;
  /** render and publish (to a dry-run publisher) without recording */
  readonly dryRun?: boolean;
  /**
   * the reporter role's lease: the report is recorded only while it is held, with its epoch in
   * the event's metadata; the append at the revision read before refuses a paused holder's record
   * once another reporter recorded the date
   */
  readonly lease?: LeaseHandle;
};

/** every recorded report, oldest first; later events for a date (forced runs) come later */
export const readRecordedReports = async (
  store: EventStore,
): Promise<{ reports: UsersByActivationStageReported[]; revision: ExpectedRevision }> => {
  const events = await store.readStream(REPORT_STREAM);
  const last = events.at(-1);
  return {
    reports: events.filter((e) => e.type === REPORT_EVENT_TYPE).map(recordedReportOf),
    revision: last === undefined ? NO_STREAM : last.revision,
  };
};

/** the latest recorded report of a date, if any (what GET /api/reports/:date answers) */
export const recordedReport = async (
  store: EventStore,
  date: string,
): Promise<UsersByActivationStageReported | undefined> =>
  (await readRecordedReports(store)).reports.findLast((r) => r.date === date);

const recordedReportOf = (e: RecordedEvent): UsersByActivationStageReported =>
  usersByActivationStageReportedSchema.parse(e.data);

/**
 * The daily report for one date: build, render a PDF per stage as the users are read, record it in
 * the report stream, then publish; the PDFs' files are discarded afterwards. The append at the
 * revision read before is the claim, so of two racing reporters one publishes; publishing after
 * recording is at most once (`--force` resends).
 */
export class RunFunnelReport {
  constructor(
    private readonly deps: {
      readonly store: EventStore;
      readonly readModels: ReadModelQueries;
      /** each user line's sessions; a store that cannot be read leaves them out, not the report */
      readonly sessions: Pick<SessionStore, 'sessionTotalsOf'>;
      readonly logger?: Logger;
      readonly renderer: ReportRenderer;
      readonly publisher: ReportPublisher;
      readonly options: FunnelReportOptions;
      /** a fresh id per run (crypto.randomUUID) */
      readonly newId: () => string;
    },
  ) {}

  async run(date: string, options: RunReportOptions = {}): Promise<ReportRun> {
    const { store } = this.deps;
    const { reports, revision } = await readRecordedReports(store);
    const earlier = reports.findLast((r) => r.date === date);
    if (earlier && !options.force && !options.dryRun) return { kind: 'already-reported', recorded: earlier };

    let documents: ReportDocuments | undefined;
    try {
      const { readModels, sessions, logger } = this.deps;
      const built = await buildFunnelReport({ readModels, sessions, logger }, date, this.deps.options, (figures) => {
        const started = this.deps.renderer.start(figures);
        documents = started;
        return (stage, user) => started.add(stage, user);
      });
      const report: FunnelReport = {
        ...built,
        recorded: { ...built.recorded, forced: earlier !== undefined && options.force === true },
      };
      const files = documents === undefined ? new Map<Stage, RenderedDocument>() : await documents.end();
      if (options.dryRun) {
        await this.deps.publisher.publish(report, files);
        return { kind: 'dry-run', report };
      }
      // a channel that cannot be posted to must not leave the date recorded and unsent
      await this.deps.publisher.check();
      const theirs = await this.record(report, reports, revision, options.lease);
      if (theirs) return { kind: 'already-reported', recorded: theirs };
      await this.deps.publisher.publish(report, files);
      return { kind: 'reported', report };
    } finally {
      await documents?.discard();
    }
  }

  /** appends the report at the revision read before; another reporter's record of the date if it won the race */
  private async record(
    report: FunnelReport,
    seenReports: readonly UsersByActivationStageReported[],
    seenRevision: ExpectedRevision,
    lease: LeaseHandle | undefined,
  ): Promise<UsersByActivationStageReported | undefined> {
    const { store } = this.deps;
    const id = this.deps.newId();
    const metadata = {
      occurredAt: report.recorded.asOf,
      ...(lease === undefined ? {} : { leaseEpoch: lease.grant.epoch }),
    };
    let reports = seenReports;
    let revision = seenRevision;
    for (;;) {
      if (lease && !lease.held())
        throw new LeaseLostError(
          lease.grant.role,
          lease.grant.epoch,
          undefined,
          `recording the report for ${report.recorded.date}`,
        );
      try {
        await store.append(REPORT_STREAM, [{ id, type: REPORT_EVENT_TYPE, data: report.recorded, metadata }], {
          expectedRevision: revision,
        });
        return undefined;
      } catch (error) {
        if (!isExpectedRevisionConflictError(error)) throw error;
        const seen = reports.length;
        ({ reports, revision } = await readRecordedReports(store));
        // another reporter recorded this date meanwhile (forced or not): it publishes, not us
        const theirs = reports.slice(seen).findLast((r) => r.date === report.recorded.date);
        if (theirs) return theirs;
      }
    }
  }

  /** the latest recorded report for a date, if any */
  async recorded(date: string): Promise<UsersByActivationStageReported | undefined> {
    return recordedReport(this.deps.store, date);
  }
}
