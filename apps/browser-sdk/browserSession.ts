import type { KeyValueStorage } from './storage.ts';

const KEY = 'journey.session';

type Stored = { readonly id: string; readonly lastEventAt: number };

const parse = (text: string | null): Stored | undefined => {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Stored>;
    return typeof value.id === 'string' && typeof value.lastEventAt === 'number'
      ? { id: value.id, lastEventAt: value.lastEventAt }
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The visit this browser is in, sent as `context.sessionId`: a new id once no event was sent
 * for longer than the timeout, by event time, which is the server's rule for a session
 * (JOURNEY_SESSION_TIMEOUT_MINUTES), so both cut in the same places. Kept in first-party
 * storage, so tabs and reloads share it.
 */
export class BrowserSession {
  constructor(
    private readonly storage: KeyValueStorage,
    private readonly newId: () => string,
    private readonly timeoutMs: number,
  ) {}

  /** the session id of an event sent at `now`, which extends the session */
  idAt(now: number): string {
    const stored = parse(this.storage.get(KEY));
    const id = stored !== undefined && now - stored.lastEventAt <= this.timeoutMs ? stored.id : this.newId();
    this.storage.set(KEY, JSON.stringify({ id, lastEventAt: Math.max(now, stored?.lastEventAt ?? now) }));
    return id;
  }

  /** log-out: the next event starts a new session */
  reset(): void {
    this.storage.remove(KEY);
  }
}
