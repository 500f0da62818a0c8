/**
 * Test support for the reliability suites: how big a run is and which random choices it
 * makes. `JOURNEY_RELIABILITY_SCALE=1` (npm run test:reliability) runs the full sizes; the
 * default (inside npm test) a small fraction. `JOURNEY_RELIABILITY_SEED` replays a run: every
 * random choice (events, kill moments, victims) comes from it, and each suite prints it.
 */
const scale = (() => {
  const raw = process.env.JOURNEY_RELIABILITY_SCALE;
  const value = raw === undefined || raw === '' ? 0.03 : Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1)
    throw new Error(`JOURNEY_RELIABILITY_SCALE=${raw} must be a number above 0 and at most 1 (1 = full sizes)`);
  return value;
})();

export const isFullScale = scale === 1;

/** `full` at full scale, else that fraction of it, never below `min` */
export const scaled = (full: number, min: number): number => Math.max(min, Math.round(full * scale));

/** the seed of this run: JOURNEY_RELIABILITY_SEED, or a fresh one */
export const runSeed = (): number => {
  const fixed = process.env.JOURNEY_RELIABILITY_SEED;
  if (fixed !== undefined && fixed !== '') {
    const seed = Number(fixed);
    if (!Number.isInteger(seed) || seed < 0)
      throw new Error(`JOURNEY_RELIABILITY_SEED=${fixed} must be a whole number`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
};

export type Random = {
  /** in [0, 1) */
  next(): number;
  /** a whole number in [min, max] */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
};

/** mulberry32: small, fast and good enough to pick kill moments and event mixes */
export const seededRandom = (seed: number): Random => {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
};

/** one line per suite, so a failure can be replayed */
export const announceSeed = (suite: string, seed: number): void => {
  process.stdout.write(
    `[reliability] ${suite}: seed ${seed}, scale ${scale} (replay: JOURNEY_RELIABILITY_SEED=${seed} JOURNEY_RELIABILITY_SCALE=${scale} npx vitest run testing/reliability)\n`,
  );
};

/** the figures of a run, one line, for docs/reliability.md */
export const printFigures = (suite: string, figures: Record<string, number | string>): void => {
  const text = Object.entries(figures)
    .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toLocaleString('en-US') : v}`)
    .join(', ');
  process.stdout.write(`[reliability] ${suite}: ${text}\n`);
};

/** sorted fractions in (0.05, 0.9): when, by acknowledged share of the events, to strike */
export const strikeMoments = (random: Random, count: number): number[] =>
  Array.from({ length: count }, () => 0.05 + random.next() * 0.85).sort((a, b) => a - b);

/** a test's time limit: generous at full scale, where a run takes minutes */
export const timeLimitMs = (ciMs: number, fullMs: number): number => (isFullScale ? fullMs : ciMs);
