import type { UserProfile } from '../../../application/ports/readModels/readModels.ts';
import type { StageDelta } from '../../../domain/stage/stageChanges.ts';
import type { StageDeltas } from '../../../projections/stageChanges/stageChangesProjection.ts';
import type { ActiveDay } from './postgresBatchWriter.ts';
import type { Decided } from './writeBatch.ts';

/**
 * A bulk-load group's users-table writes, merged batch after batch and written once at its
 * commit: a user active in many batches is one upsert, and the stage deltas that one batch
 * adds and the next takes back (an active user's "inactive from") cancel in memory.
 */
export class GroupWrites implements Decided {
  readonly profiles = new Map<string, UserProfile>();
  private readonly daysByKey = new Map<string, ActiveDay>();
  readonly deltas: StageDeltas = new Map();

  get days(): ActiveDay[] {
    return [...this.daysByKey.values()];
  }

  add(decided: Decided): void {
    for (const [userId, profile] of decided.profiles) this.profiles.set(userId, profile);
    for (const d of decided.days) {
      const key = `${d.userId}\u0000${d.day}`;
      const known = this.daysByKey.get(key);
      if (known === undefined) this.daysByKey.set(key, { ...d });
      else {
        if (d.first < known.first) known.first = d.first;
        if (d.last > known.last) known.last = d.last;
      }
    }
    for (const [at, delta] of decided.deltas) {
      const sum = this.deltas.get(at);
      if (sum === undefined) this.deltas.set(at, [...delta] as StageDelta);
      else for (let i = 0; i < 4; i++) sum[i] = (sum[i] ?? 0) + (delta[i] ?? 0);
    }
  }
}
