import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sleep } from '../sleep.ts';
import { API_TOKEN } from './journeyCluster.ts';

export type ProbeTally = {
  /** correct 200s, by endpoint */
  readonly ok: Record<string, number>;
  /** 503s with Retry-After, by endpoint */
  readonly unavailable: Record<string, number>;
  /** anything else: a 500, a 503 without Retry-After, or a 200 the store contradicts */
  readonly wrong: string[];
  /** /readyz answers, by status */
  readonly readyz: Record<string, number>;
};

type Journey = { userId: string; profile: { eventCount: number }; events: { id: string }[] };
type Users = { users: { userId: string; eventCount: number }[] };
type Funnel = { newSignups: number; stages: Record<string, number> };

const isPrefix = (shown: readonly string[], stored: readonly string[]): boolean =>
  shown.every((id, i) => stored[i] === id);

/**
 * Test support: asks Journey's API (the journey of users it has projected, the funnel, a user
 * search) and /readyz over and over, and sorts each answer: a 200 must agree with the event
 * store read right after it (read models lag the store, never lead it, and never count an
 * event twice), a 503 must carry Retry-After; anything else is wrong. Runs until `stop`.
 */
export const probeApi = <Phase extends string>(options: {
  readonly url: () => string;
  readonly dataDir: string;
  /** users the read models held before the probe started: a 404 for them is wrong */
  readonly users: readonly string[];
  /** a user-id prefix for the search */
  readonly search: string;
  readonly pauseMs?: number;
  readonly phase: Phase;
}) => {
  // an answer counts in the phase it was asked and answered in; one that spans two counts in neither
  const tallies = {} as Record<Phase | 'between phases', ProbeTally>;
  let phase: Phase | 'between phases' = options.phase;
  const tallyOf = (p: Phase | 'between phases'): ProbeTally => {
    tallies[p] ??= { ok: {}, unavailable: {}, wrong: [], readyz: {} };
    return tallies[p];
  };
  const add = (counts: Record<string, number>, key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  let stopped = false;
  let round = 0;

  // one query per answer, not the whole store: this process also serves the fake Slack, and a
  // blocked event loop there makes Journey's posts time out
  const db = new Database(join(options.dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  const streamOf = db.prepare<[string], { event_id: string }>(
    'SELECT event_id FROM events WHERE stream_id = ? ORDER BY position',
  );
  const usersStored = db.prepare<[], { n: number }>(
    "SELECT COUNT(DISTINCT stream_id) AS n FROM events WHERE substr(stream_id, 1, 8) = 'journey-'",
  );
  const eventsOf = (userId: string): string[] => streamOf.all(`journey-${userId}`).map((r) => r.event_id);

  const check = (endpoint: string, body: unknown): string | undefined => {
    if (endpoint === 'journey') {
      const j = body as Journey;
      const stored = eventsOf(j.userId);
      const shown = j.events.map((e) => e.id);
      if (!isPrefix(shown, stored)) return `the timeline of ${j.userId} is not a prefix of its stream`;
      if (j.profile.eventCount > stored.length)
        return `${j.userId} counts ${j.profile.eventCount} events, the store holds ${stored.length}`;
    }
    if (endpoint === 'users')
      for (const u of (body as Users).users) {
        const stored = eventsOf(u.userId).length;
        if (u.eventCount > stored) return `${u.userId} counts ${u.eventCount} events, the store holds ${stored}`;
      }
    if (endpoint === 'funnel') {
      const f = body as Funnel;
      const total = Object.values(f.stages).reduce((a, b) => a + b, 0);
      const users = usersStored.get()?.n ?? 0;
      if (total > users || f.newSignups > total || Object.values(f.stages).some((n) => n < 0))
        return `the funnel ${JSON.stringify(f)} does not fit ${users} users in the store`;
    }
    return undefined;
  };

  const ask = async (endpoint: string, path: string): Promise<void> => {
    const askedIn = phase;
    const answered = await answer(endpoint, path);
    const tally = tallyOf(askedIn === phase ? askedIn : 'between phases');
    if (answered.kind === 'readyz') add(tally.readyz, answered.status);
    else if (answered.kind === 'wrong') tally.wrong.push(answered.why);
    else add(answered.kind === 'ok' ? tally.ok : tally.unavailable, endpoint);
  };

  const answer = async (
    endpoint: string,
    path: string,
  ): Promise<{ kind: 'ok' | 'unavailable' } | { kind: 'readyz'; status: string } | { kind: 'wrong'; why: string }> => {
    let response: Response;
    try {
      response = await fetch(`${options.url()}${path}`, {
        headers: { authorization: `Bearer ${API_TOKEN}` },
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      return { kind: 'wrong', why: `${endpoint}: no answer (${(error as Error).message})` };
    }
    const text = await response.text();
    if (endpoint === 'readyz') return { kind: 'readyz', status: String(response.status) };
    if (response.status === 503 && response.headers.get('retry-after')) return { kind: 'unavailable' };
    if (response.status !== 200) return { kind: 'wrong', why: `${endpoint}: ${response.status} ${text.slice(0, 300)}` };
    const wrong = check(endpoint, JSON.parse(text));
    return wrong ? { kind: 'wrong', why: `${endpoint}: ${wrong}` } : { kind: 'ok' };
  };

  const running = (async () => {
    while (!stopped) {
      const user = options.users[round++ % options.users.length] ?? '';
      await ask('journey', `/api/users/${encodeURIComponent(user)}/journey`);
      await ask('funnel', '/api/funnel');
      await ask('users', `/api/users?search=${encodeURIComponent(options.search)}&limit=50`);
      await ask('readyz', '/readyz');
      await sleep(options.pauseMs ?? 50);
    }
  })();

  return {
    /** from now on, answers count in `next` */
    phase: (next: Phase) => {
      phase = next;
    },
    /** the answers of each phase */
    stop: async (): Promise<Partial<Record<Phase | 'between phases', ProbeTally>>> => {
      stopped = true;
      await running;
      db.close();
      return tallies;
    },
  };
};
