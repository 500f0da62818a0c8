import type { AlertWriter } from '../../../application/ports/alertStore/alertStore.ts';
import type { AlertDraft } from '../../../domain/alerts/alert.ts';
import type { ErrorGroup, TrackedDeployment } from '../../../domain/alerts/alertRules.ts';
import { canonicalInstant } from '../../polling/instants.ts';
import { AlertStateCache } from './alertStateCache.ts';
import type { AlertStatements, DeploymentRow } from './alertTables.ts';

const deploymentRowOf = (d: TrackedDeployment): DeploymentRow => ({
  deployment_id: d.deploymentId,
  user_id: d.userId,
  project_id: d.projectId ?? null,
  started_at: canonicalInstant(d.startedAt, 'startedAt'),
  finished_outcome: d.finished?.outcome ?? null,
  finished_at: d.finished ? canonicalInstant(d.finished.at, 'finishedAt') : null,
});

const toDeployment = (row: DeploymentRow): TrackedDeployment => ({
  deploymentId: row.deployment_id,
  userId: row.user_id,
  ...(row.project_id === null ? {} : { projectId: row.project_id }),
  startedAt: row.started_at,
  ...(row.finished_outcome === null || row.finished_at === null
    ? {}
    : { finished: { outcome: row.finished_outcome, at: row.finished_at } }),
});

/**
 * The alert projection's writes inside a transaction: its state (deployments, error groups)
 * and the alerts it raises into the outbox. With a state cache (a sole writer that started
 * from empty state tables) the state is read from memory and written back by `writeBackState`.
 */
export class SqliteAlertWriter implements AlertWriter {
  private stateCache: AlertStateCache | undefined;
  /** alerts raised since `resetRaised`: the store tells the alerter after the commit */
  raised = 0;

  private readonly raiseNothing: boolean;

  constructor(
    private readonly stmts: AlertStatements,
    options: { readonly raiseNothing: boolean; readonly cacheState: boolean },
  ) {
    this.raiseNothing = options.raiseNothing;
    if (options.cacheState) this.stateCache = new AlertStateCache();
  }

  getDeployment(deploymentId: string): TrackedDeployment | undefined {
    if (this.stateCache) return this.stateCache.getDeployment(deploymentId);
    const row = this.stmts.getDeployment.get(deploymentId);
    return row && toDeployment(row);
  }

  putDeployment(deployment: TrackedDeployment): void {
    if (this.stateCache)
      this.stateCache.putDeployment(toDeployment(deploymentRowOf(deployment))); // as read back
    else this.putDeploymentRow(deployment);
  }

  dueDeployments(startedFrom: string, startedBefore: string): TrackedDeployment[] {
    this.writeBackState(); // the query reads the table
    return this.stmts.dueDeployments
      .all(canonicalInstant(startedFrom, 'startedFrom'), canonicalInstant(startedBefore, 'startedBefore'))
      .map(toDeployment);
  }

  getErrorGroup(userId: string, code: string): ErrorGroup | undefined {
    if (this.stateCache) return this.stateCache.getErrorGroup(userId, code);
    const row = this.stmts.getErrorGroup.get(userId, code);
    return (
      row && {
        userId: row.user_id,
        code: row.code,
        windowStart: row.window_start,
        count: row.count,
        alertKey: row.alert_key,
      }
    );
  }

  putErrorGroup(g: ErrorGroup): void {
    if (this.stateCache) this.stateCache.putErrorGroup(g);
    else this.stmts.putErrorGroup.run(g.userId, g.code, g.windowStart, g.count, g.alertKey);
  }

  hasAlert(key: string): boolean {
    return this.stmts.hasAlert.get(key) !== undefined;
  }

  raise(alert: AlertDraft, raisedAt: string): boolean {
    if (this.raiseNothing) return false;
    const at = canonicalInstant(raisedAt, 'raisedAt');
    const { changes } = this.stmts.raise.run(
      alert.key,
      alert.kind,
      alert.userId,
      canonicalInstant(alert.occurredAt, 'occurredAt'),
      alert.parentKey ?? null,
      JSON.stringify(alert.content),
      at,
      at,
    );
    if (changes > 0) this.raised++;
    return changes > 0;
  }

  /** writes the cached state that changed since the last write-back; in the caller's transaction */
  writeBackState(): void {
    const kept = this.stateCache?.flush({
      deployment: (d) => this.putDeploymentRow(d),
      errorGroup: (g) => this.stmts.putErrorGroup.run(g.userId, g.code, g.windowStart, g.count, g.alertKey),
    });
    if (kept === false) this.stateCache = undefined;
  }

  /** after a rollback: the cache holds what the rolled back transaction wrote */
  dropStateCache(): void {
    this.stateCache = undefined;
  }

  private putDeploymentRow(d: TrackedDeployment): void {
    this.stmts.putDeployment.run(deploymentRowOf(d));
  }
}
