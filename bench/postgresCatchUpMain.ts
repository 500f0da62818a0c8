import { postgresCatchUpBench, runPostgresCatchUp } from './postgresCatchUp.ts';
import { postgresQueryLatencies } from './postgresQueries.ts';
import type { RebuildStore } from './rebuildBench.ts';

/**
 * `node bin/run.js bench/postgresCatchUpMain.ts [events=100000]`: needs PostgreSQL's server binaries
 * (see testing/postgres). `--child STORE_JSON FUNNELS JOURNEYS`: one round on a filled store, its
 * figures as JSON on the last line (what `postgresCatchUpInChild` runs).
 */
if (process.argv[2] === '--child') {
  const [store, funnels, journeys] = [
    JSON.parse(process.argv[3] ?? '{}') as RebuildStore,
    ...process.argv.slice(4).map(Number),
  ];
  const run = await runPostgresCatchUp(store, (pool) =>
    funnels
      ? postgresQueryLatencies(pool, { funnels, journeys: journeys ?? 0, windowDays: 15 })
      : Promise.resolve(undefined),
  );
  process.stdout.write(`${JSON.stringify(run)}\n`);
} else await postgresCatchUpBench(Number(process.argv[2] ?? 100_000));
