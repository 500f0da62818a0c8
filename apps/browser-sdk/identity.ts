import type { KeyValueStorage } from './storage.ts';

export type Traits = Record<string, unknown>;

export type Identity = {
  readonly anonymousId: string;
  readonly userId: string | undefined;
  readonly traits: Traits;
};

const KEYS = { anonymousId: 'journey.anonymousId', userId: 'journey.userId', traits: 'journey.traits' } as const;

const parseTraits = (text: string | null): Traits => {
  if (text === null) return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Traits) : {};
  } catch {
    return {};
  }
};

/**
 * Who the visitor is, kept in first-party storage so a reload keeps the same anonymousId:
 * that is what lets the mapper join the anonymous page views to the user after `identify`.
 */
export class IdentityStore {
  constructor(
    private readonly storage: KeyValueStorage,
    private readonly newId: () => string,
  ) {}

  current(): Identity {
    let anonymousId = this.storage.get(KEYS.anonymousId);
    if (anonymousId === null || anonymousId === '') {
      anonymousId = this.newId();
      this.storage.set(KEYS.anonymousId, anonymousId);
    }
    const userId = this.storage.get(KEYS.userId) ?? undefined;
    return { anonymousId, userId, traits: parseTraits(this.storage.get(KEYS.traits)) };
  }

  /** Traits accumulate across calls for the same user; a different user starts afresh. */
  identify(userId: string, traits: Traits = {}): Identity {
    const before = this.current();
    const merged = before.userId === userId ? { ...before.traits, ...traits } : { ...traits };
    this.storage.set(KEYS.userId, userId);
    this.storage.set(KEYS.traits, JSON.stringify(merged));
    return { anonymousId: before.anonymousId, userId, traits: merged };
  }

  /** Log-out: the next visitor on this browser is a new anonymous one. */
  reset(): Identity {
    this.storage.remove(KEYS.userId);
    this.storage.remove(KEYS.traits);
    this.storage.remove(KEYS.anonymousId);
    return this.current();
  }
}
