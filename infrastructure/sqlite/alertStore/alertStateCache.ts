import type { ErrorGroup, TrackedDeployment } from '../../../domain/alerts/alertRules.ts';

/** above this many entries the copy costs more memory than its reads save */
const MAX_ENTRIES = 2_000_000;

/**
 * The alert projection's state (deployments, error groups) in memory, for a store that fills
 * empty state tables as their only writer (a rebuild's shadow): complete, so a deployment it
 * does not hold is in no table either, and written back by `flush` once per commit instead
 * of a read and a write per event (a third of the events are deployments). Its owner drops
 * it when a transaction it wrote into rolls back.
 */
export class AlertStateCache {
  private readonly deployments = new Map<string, TrackedDeployment>();
  private readonly groups = new Map<string, ErrorGroup>();
  private readonly dirtyDeployments = new Set<string>();
  private readonly dirtyGroups = new Set<string>();

  getDeployment(deploymentId: string): TrackedDeployment | undefined {
    return this.deployments.get(deploymentId);
  }

  putDeployment(deployment: TrackedDeployment): void {
    this.deployments.set(deployment.deploymentId, deployment);
    this.dirtyDeployments.add(deployment.deploymentId);
  }

  getErrorGroup(userId: string, code: string): ErrorGroup | undefined {
    return this.groups.get(`${userId}\u0000${code}`);
  }

  putErrorGroup(group: ErrorGroup): void {
    const key = `${group.userId}\u0000${group.code}`;
    this.groups.set(key, group);
    this.dirtyGroups.add(key);
  }

  /** hands what changed since the last flush to `write`; false when the copy has grown too large to keep */
  flush(write: {
    readonly deployment: (d: TrackedDeployment) => void;
    readonly errorGroup: (g: ErrorGroup) => void;
  }): boolean {
    for (const id of this.dirtyDeployments) {
      const d = this.deployments.get(id);
      if (d) write.deployment(d);
    }
    for (const key of this.dirtyGroups) {
      const g = this.groups.get(key);
      if (g) write.errorGroup(g);
    }
    this.dirtyDeployments.clear();
    this.dirtyGroups.clear();
    return this.deployments.size + this.groups.size <= MAX_ENTRIES;
  }
}
