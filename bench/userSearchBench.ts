import type { UserProfile } from '../application/ports/readModels/readModels.ts';
import { SqliteReadModels } from '../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import type { Figure } from './report.ts';
import { summarize } from './stats.ts';
import type { TempFiles } from './tempFiles.ts';

export type UserSearchRun = {
  readonly users: number;
  /** searchUsers(prefix, 20) latency, ms, over 1–3 character prefixes of ids and emails */
  readonly search: { readonly p50: number; readonly p99: number };
  /** the baseline: getProfile(userId), a primary-key lookup on the same file, ms */
  readonly lookup: { readonly p50: number; readonly p99: number };
};

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const timed = async (count: number, run: (i: number) => Promise<unknown>) => {
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await run(i);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
};

/** a deterministic pseudo-random sequence, so every run asks the same questions */
const lcg = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const NAMES = ['ada', 'alan', 'grace', 'linus', 'margaret', 'ken', 'barbara', 'edsger', 'donald', 'frances'];

/**
 * The dashboard's user search over `users` profiles: one search's latency beside a primary-key lookup
 * on the same file. Prefixes of 1–3 characters are the hard case: they match thousands of users, of
 * which the search returns 20.
 */
export const runUserSearch = async (file: string, users: number, queries: number): Promise<UserSearchRun> => {
  const store = new SqliteReadModels(file);
  try {
    const profileOf = (i: number): UserProfile => ({
      userId: `user-${i}`,
      email: `${NAMES[i % NAMES.length]}.${i}@${i % 3 === 0 ? 'example.com' : 'corp.example'}`,
      signedUpAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-01T00:00:00.000Z',
      eventCount: 1,
      lastEventType: 'UserSignedUp',
    });
    for (let from = 0, batch = 0; from < users; from += 5_000, batch++) {
      const to = Math.min(users, from + 5_000);
      const previous = await store.readCheckpoint('users');
      const position = { commit: BigInt(batch + 1), prepare: BigInt(batch + 1) };
      await store.applyBatch('users', { from: previous, to: position }, (w) => {
        for (let i = from; i < to; i++) w.putProfile(profileOf(i));
      });
    }
    const random = lcg(42);
    const prefixes = Array.from({ length: queries }, () => {
      const p = profileOf(Math.floor(random() * users));
      const length = 1 + Math.floor(random() * 3);
      // 'user-' alone matches everyone, so id prefixes go 1–3 characters past it
      return random() < 0.5 ? p.userId.slice(0, 5 + length) : (p.email ?? '').slice(0, length);
    });
    const ids = Array.from({ length: queries }, () => `user-${Math.floor(random() * users)}`);
    // both measured warm, as a running API's read models are: one untimed pass over the same questions
    // (cold, a search reads its 20 rows' pages from disk and is slower by about that many reads)
    await timed(queries, (i) => store.searchUsers(prefixes[i] ?? 'a', 20));
    await timed(queries, (i) => store.getProfile(ids[i] ?? 'user-0'));
    const search = await timed(queries, (i) => store.searchUsers(prefixes[i] ?? 'a', 20));
    const lookup = await timed(queries, (i) => store.getProfile(ids[i] ?? 'user-0'));
    return { users, search, lookup };
  } finally {
    await store.close();
  }
};

export const summarizeRuns = (runs: readonly UserSearchRun[]) => ({
  searchP50: summarize(runs.map((r) => r.search.p50)),
  searchP99: summarize(runs.map((r) => r.search.p99)),
  lookupP50: summarize(runs.map((r) => r.lookup.p50)),
  lookupP99: summarize(runs.map((r) => r.lookup.p99)),
});

/** `runs` rounds of `runUserSearch` as bench figures: p50 and p99 beside the lookup's, no target. */
export const userSearchFigures = async (
  files: TempFiles,
  users: number,
  runs: number,
  log: (message: string) => void,
): Promise<Figure[]> => {
  const results: UserSearchRun[] = [];
  for (let round = 1; round <= runs; round++) {
    log(`user search round ${round}/${runs}: ${users.toLocaleString('en-US')} users`);
    results.push(await runUserSearch(files.file('user-search.db'), users, 2_000));
  }
  const s = summarizeRuns(results);
  const label = `dashboard user search, ${users.toLocaleString('en-US')} users, limit 20`;
  return [
    {
      id: 'user-search-p50',
      label: `${label}, p50`,
      unit: 'ms',
      value: s.searchP50,
      baseline: { label: 'primary-key profile lookup, p50', value: s.lookupP50 },
    },
    {
      id: 'user-search-p99',
      label: `${label}, p99`,
      unit: 'ms',
      value: s.searchP99,
      baseline: { label: 'primary-key profile lookup, p99', value: s.lookupP99 },
    },
  ];
};
