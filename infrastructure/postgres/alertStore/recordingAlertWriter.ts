import type { AlertWriter } from '../../../application/ports/alertStore/alertStore.ts';
import type { AlertDraft } from '../../../domain/alerts/alert.ts';
import type { ErrorGroup, TrackedDeployment } from '../../../domain/alerts/alertRules.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import { deploymentRowOf, toDeployment } from './alertRows.ts';

/** The rows a transaction has read so far; `null` and `false` record rows known to be absent. */
export type AlertSnapshot = {
  readonly deployments: Map<string, TrackedDeployment | null>;
  /** by `errorGroupKey` */
  readonly errorGroups: Map<string, ErrorGroup | null>;
  readonly alertKeys: Map<string, boolean>;
  /** ids of the unfinished deployments started in a range, by `rangeKey`; their rows and slow-alert keys are above */
  readonly dueRanges: Map<string, readonly string[]>;
};

/** What the writer was asked for that its snapshot does not hold. */
export type AlertWants = {
  readonly deploymentIds: Set<string>;
  readonly errorGroups: Map<string, { readonly userId: string; readonly code: string }>;
  readonly alertKeys: Set<string>;
  readonly dueRanges: Map<string, { readonly from: string; readonly before: string }>;
};

export type RaisedAlert = AlertDraft & { readonly raisedAt: string };

/** What `apply` wrote, to be stored in one go. */
export type AlertChanges = {
  readonly deployments: readonly TrackedDeployment[];
  readonly errorGroups: readonly ErrorGroup[];
  /** in the order they were raised, which is the order they are numbered in */
  readonly alerts: readonly RaisedAlert[];
};

export const errorGroupKey = (userId: string, code: string): string => JSON.stringify([userId, code]);
export const rangeKey = (from: string, before: string): string => `${from}/${before}`;
export const slowAlertKey = (deploymentId: string): string => `deploy-slow:${deploymentId}`;

export const emptySnapshot = (): AlertSnapshot => ({
  deployments: new Map(),
  errorGroups: new Map(),
  alertKeys: new Map(),
  dueRanges: new Map(),
});

const byStart = (a: TrackedDeployment, b: TrackedDeployment): number =>
  a.startedAt === b.startedAt ? (a.deploymentId < b.deploymentId ? -1 : 1) : a.startedAt < b.startedAt ? -1 : 1;

/**
 * An AlertWriter that answers from a snapshot plus its own writes, and records what it was
 * asked for that the snapshot lacks (answering "absent" meanwhile); see `applyPrefetched`.
 */
export class RecordingAlertWriter implements AlertWriter {
  readonly wants: AlertWants = {
    deploymentIds: new Set(),
    errorGroups: new Map(),
    alertKeys: new Set(),
    dueRanges: new Map(),
  };
  private readonly deployments = new Map<string, TrackedDeployment>();
  private readonly errorGroups = new Map<string, ErrorGroup>();
  private readonly raised = new Map<string, RaisedAlert>();

  /** `raiseNothing`: a rebuild's shadow, which must neither queue nor send again what the live one raised */
  constructor(
    private readonly snapshot: AlertSnapshot,
    private readonly raiseNothing = false,
  ) {}

  /** true when an answer given was a guess: load `wants` and run `apply` again */
  asksForMore(): boolean {
    const w = this.wants;
    return w.deploymentIds.size + w.errorGroups.size + w.alertKeys.size + w.dueRanges.size > 0;
  }

  changes(): AlertChanges {
    return {
      deployments: [...this.deployments.values()],
      errorGroups: [...this.errorGroups.values()],
      alerts: [...this.raised.values()],
    };
  }

  getDeployment(deploymentId: string): TrackedDeployment | undefined {
    const written = this.deployments.get(deploymentId);
    if (written) return written;
    const read = this.snapshot.deployments.get(deploymentId);
    if (read === undefined) this.wants.deploymentIds.add(deploymentId);
    return read ?? undefined;
  }

  putDeployment(deployment: TrackedDeployment): void {
    const stored = toDeployment(deploymentRowOf(deployment)); // as it reads back
    this.deployments.set(stored.deploymentId, stored);
  }

  dueDeployments(startedFrom: string, startedBefore: string): TrackedDeployment[] {
    const from = canonicalInstant(startedFrom, 'startedFrom');
    const before = canonicalInstant(startedBefore, 'startedBefore');
    const loaded = this.snapshot.dueRanges.get(rangeKey(from, before));
    if (loaded === undefined) this.wants.dueRanges.set(rangeKey(from, before), { from, before });
    // the stored ones in range and this transaction's own writes, each as it stands now
    const ids = new Set([...(loaded ?? []), ...this.deployments.keys()]);
    return [...ids]
      .map((id) => this.deployments.get(id) ?? this.snapshot.deployments.get(id) ?? undefined)
      .filter(
        (d): d is TrackedDeployment => d !== undefined && !d.finished && d.startedAt >= from && d.startedAt < before,
      )
      .filter((d) => !this.hasAlert(slowAlertKey(d.deploymentId)))
      .sort(byStart);
  }

  getErrorGroup(userId: string, code: string): ErrorGroup | undefined {
    const key = errorGroupKey(userId, code);
    const written = this.errorGroups.get(key);
    if (written) return written;
    const read = this.snapshot.errorGroups.get(key);
    if (read === undefined) this.wants.errorGroups.set(key, { userId, code });
    return read ?? undefined;
  }

  putErrorGroup(g: ErrorGroup): void {
    const { userId, code, windowStart, count, alertKey } = g;
    this.errorGroups.set(errorGroupKey(userId, code), { userId, code, windowStart, count, alertKey });
  }

  hasAlert(key: string): boolean {
    if (this.raised.has(key)) return true;
    const read = this.snapshot.alertKeys.get(key);
    if (read === undefined) this.wants.alertKeys.add(key);
    return read ?? false;
  }

  raise(alert: AlertDraft, raisedAt: string): boolean {
    if (this.raiseNothing) return false;
    const at = canonicalInstant(raisedAt, 'raisedAt');
    const occurredAt = canonicalInstant(alert.occurredAt, 'occurredAt');
    if (this.hasAlert(alert.key)) return false;
    const { key, kind, userId, parentKey, content } = alert;
    this.raised.set(key, {
      key,
      kind,
      userId,
      occurredAt,
      ...(parentKey === undefined ? {} : { parentKey }),
      content,
      raisedAt: at,
    });
    return true;
  }
}
