import type { UserProfile } from '../../../application/ports/readModels/readModels.ts';
import type { Span, StoredHistories, StoredHistory } from './storedHistories.ts';

/** above this many users the copy costs more memory than its reads save (about 0.5 KB a user) */
export const MIRROR_MAX_USERS = 500_000;

/**
 * A complete copy, in memory, of the users and activity days a bulk load wrote into tables
 * that were empty when it began: a batch then reads no profile and no history from the
 * server, and runs its projection once. Its owner drops it whenever it may disagree with the
 * tables (a rolled-back group, another writer's checkpoint).
 */
export class UsersMirror implements StoredHistories {
  readonly complete = true;
  readonly profiles = new Map<string, UserProfile | null>();
  private readonly days = new Map<string, ReadonlyMap<string, Span>>();

  get size(): number {
    return Math.max(this.profiles.size, this.days.size);
  }

  async read(_client: unknown, userIds: readonly string[]): Promise<Map<string, StoredHistory>> {
    const histories = new Map<string, StoredHistory>();
    for (const userId of userIds) {
      const profile = this.profiles.get(userId);
      const days = this.days.get(userId);
      if (profile === undefined && days === undefined) continue;
      histories.set(userId, { signedUpAt: profile?.signedUpAt ?? null, days: days ?? new Map() });
    }
    return histories;
  }

  wrote(userId: string, profile: UserProfile | undefined, days: ReadonlyMap<string, Span>): void {
    if (profile !== undefined) this.profiles.set(userId, profile);
    if (days.size > 0) this.days.set(userId, days);
  }
}
