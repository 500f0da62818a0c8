import { isExpectedRevisionConflictError } from '../../domain/errors/journeyError.ts';
import { LeaseLostError } from '../../domain/errors/leaseLostError.ts';
import {
  REPORT_EVENT_TYPE,
  REPORT_STREAM,
  type UsersByActivationStageReported,
  usersByActivationStageReportedSchema,
} from '../../domain/report/usersByActivationStageReported.ts';
import {
  REPORT_PUBLISHED_EVENT_TYPE,
  usersByActivationStageReportPublishedSchema,
} from '../../domain/report/usersByActivationStageReportPublished.ts';
import type { Stage } from '../../domain/stage/stage.ts';
import type { LeaseHandle } from '../leases/leasedRole.ts';
import {
  ANY,
  type EventStore,
  type ExpectedRevision,
  NO_STREAM,
  type RecordedEvent,
} from '../ports/eventStore/eventStore.ts';
import type {
  FunnelReport,
  PublishOptions,
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
  /** recorded before, by a reporter cut off while publishing it: what was missing is published now */
  | { readonly kind: 'resumed'; readonly report: FunnelReport }
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

/** a recorded report not (yet) marked as published: its event id and when it was recorded */
export type UnpublishedReport = {
  readonly id: string;
  readonly recordedAt: string;
  readonly report: UsersByActivationStageReported;
};

/** records from before the published mark existed do not ask for one, and are never sent again */
const PUBLISH_MARK = 'publishMark';
const asksForMark = (e: RecordedEvent): boolean =>
  typeof e.metadata === 'object' &&
  e.metadata !== null &&
  (e.metadata as Record<string, unknown>)[PUBLISH_MARK] === true;

/**
 * every recorded report, oldest first (later events for a date, forced runs, come later), and those
 * whose publishing was cut off: recorded, asking for a published mark, and without one
 */
export const readRecordedReports = async (
  store: EventStore,
): Promise<{
  reports: UsersByActivationStageReported[];
  unpublished: UnpublishedReport[];
  revision: ExpectedRevision;
}> => {
  const events = await store.readStream(REPORT_STREAM);
  const last = events.at(-1);
  const marked = new Set(
    events
      .filter((e) => e.type === REPORT_PUBLISHED_EVENT_TYPE)
      .map((e) => usersByActivationStageReportPublishedSchema.parse(e.data).reportId),
  );
  const records = events.filter((e) => e.type === REPORT_EVENT_TYPE);
  const reports = records.map(recordedReportOf);
  // only a date's latest record counts: a later forced run supersedes an earlier cut-off one
  const latest = new Map(reports.map((r, i) => [r.date, i]));
  return {
    reports,
    unpublished: records.flatMap((e, i) => {
      const report = reports[i];
      return report && latest.get(report.date) === i && asksForMark(e) && !marked.has(e.id)
        ? [{ id: e.id, recordedAt: e.recordedAt, report }]
        : [];
    }),
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
      /**
       * resolves once the projections the report reads have applied what was stored before the run
       * (untilProjectionsPass); throws to record nothing. None: the read side is taken as it is.
       */
      readonly projectionsPassed?: (date: string, stillWanted: () => boolean) => Promise<void>;
    },
  ) {}

  async run(date: string, options: RunReportOptions = {}): Promise<ReportRun> {
    const { store } = this.deps;
    const { reports, unpublished, revision } = await readRecordedReports(store);
    const earlier = reports.findLast((r) => r.date === date);
    const cutOff = unpublished.findLast((u) => u.report.date === date);
    if (earlier && !options.force && !options.dryRun && !cutOff) return { kind: 'already-reported', recorded: earlier };

    await this.deps.projectionsPassed?.(date, () => options.lease?.held() ?? true);
    let documents: ReportDocuments | undefined;
    try {
      const { readModels, sessions, logger } = this.deps;
      // where a failover picks up (testing/reliability/reporterKilled.e2e.spec.ts waits for it)
      logger?.info(
        { date, ...(options.lease ? { leaseEpoch: options.lease.grant.epoch } : {}) },
        `rendering the funnel report for ${date}`,
      );
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
      if (earlier && cutOff && !options.force) {
        // the record is there; its messages are partly posted: post the rest, as the record's figures say
        const recorded = { ...report, recorded: cutOff.report };
        await this.publish(recorded, files, cutOff.id, options.lease, { since: cutOff.recordedAt });
        return { kind: 'resumed', report: recorded };
      }
      const recorded = await this.record(report, reports, revision, options.lease);
      if ('theirs' in recorded) return { kind: 'already-reported', recorded: recorded.theirs };
      await this.publish(report, files, recorded.id, options.lease, undefined);
      return { kind: 'reported', report };
    } finally {
      await documents?.discard();
    }
  }

  /**
   * posts, each message only while the lease is held (a standby that took over finishes the report),
   * then marks the record published; a mark written twice is harmless, so it is not fenced
   */
  private async publish(
    report: FunnelReport,
    files: ReadonlyMap<Stage, RenderedDocument>,
    reportId: string,
    lease: LeaseHandle | undefined,
    resume: PublishOptions['resume'],
  ): Promise<void> {
    const { date } = report.recorded;
    const beforePost = () => {
      if (lease && !lease.held())
        throw new LeaseLostError(lease.grant.role, lease.grant.epoch, undefined, `posting the report for ${date}`);
    };
    await this.deps.publisher.publish(report, files, { ...(resume ? { resume } : {}), beforePost });
    await this.deps.store.append(
      REPORT_STREAM,
      [
        {
          id: this.deps.newId(),
          type: REPORT_PUBLISHED_EVENT_TYPE,
          data: { date, reportId },
          metadata: {
            occurredAt: report.recorded.asOf,
            ...(lease === undefined ? {} : { leaseEpoch: lease.grant.epoch }),
          },
        },
      ],
      { expectedRevision: ANY },
    );
  }

  /** appends the report at the revision read before; another reporter's record of the date if it won the race */
  private async record(
    report: FunnelReport,
    seenReports: readonly UsersByActivationStageReported[],
    seenRevision: ExpectedRevision,
    lease: LeaseHandle | undefined,
  ): Promise<{ id: string } | { theirs: UsersByActivationStageReported }> {
    const { store } = this.deps;
    const id = this.deps.newId();
    const metadata = {
      occurredAt: report.recorded.asOf,
      ...(lease === undefined ? {} : { leaseEpoch: lease.grant.epoch }),
      [PUBLISH_MARK]: true,
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
        return { id };
      } catch (error) {
        if (!isExpectedRevisionConflictError(error)) throw error;
        const seen = reports.length;
        ({ reports, revision } = await readRecordedReports(store));
        // another reporter recorded this date meanwhile (forced or not): it publishes, not us
        const theirs = reports.slice(seen).findLast((r) => r.date === report.recorded.date);
        if (theirs) return { theirs };
      }
    }
  }

  /** the latest recorded report for a date, if any */
  async recorded(date: string): Promise<UsersByActivationStageReported | undefined> {
    return recordedReport(this.deps.store, date);
  }
}
