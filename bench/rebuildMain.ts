import { type RebuildableProjection, rebuildableProjections } from '../apps/projector/rebuildTargets.ts';
import { orderedScanBaseline } from './baselines.ts';
import { runCatchUp } from './projectionBench.ts';
import { prepareRebuildStore, queryLatencies, runRebuild } from './rebuildBench.ts';
import { tempFiles } from './tempFiles.ts';

/**
 * `node bin/run.js bench/rebuildMain.ts [events=1000000] [projections=timeline,users,alerts]`:
 * catch-up (when timeline and users are named), rebuild and queries, as `npm run bench` does. `…
 * [events] queries` measures only the queries.
 */

const count = Number(process.argv[2] ?? 1_000_000);
const queriesOnly = process.argv[3] === 'queries';
const names = (
  queriesOnly
    ? ['timeline', 'users']
    : (process.argv[3]?.split(',') ?? rebuildableProjections.filter((name) => name !== 'automations'))
) as RebuildableProjection[];
const files = await tempFiles();
try {
  const t0 = performance.now();
  const store = await prepareRebuildStore(files, count);
  process.stderr.write(
    `filled ${store.count.toLocaleString('en-US')} events over ${store.users.toLocaleString('en-US')} streams in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
  );
  if (queriesOnly) {
    const { eventsPerSecond } = await runCatchUp(store, { keep: true });
    process.stderr.write(`read models built by catch-up at ${Math.round(eventsPerSecond)} events/s\n`);
  } else if (names.includes('timeline') && names.includes('users')) {
    for (let round = 1; round <= 2; round++) {
      const scan = orderedScanBaseline(store.file);
      const run = await runCatchUp(store);
      process.stdout.write(
        `catch-up (timeline ∥ users) round ${round}: ${Math.round(run.eventsPerSecond).toLocaleString('en-US')} events/s, ordered scan ${Math.round(scan.rowsPerSecond).toLocaleString('en-US')} rows/s, ratio ${(run.eventsPerSecond / scan.rowsPerSecond).toFixed(3)}\n`,
      );
    }
  }
  for (let round = 1; round <= (queriesOnly ? 0 : 2); round++) {
    const run = await runRebuild(store, names);
    process.stdout.write(
      `rebuild ${names.join(',')} round ${round}: ${Math.round(run.eventsPerSecond).toLocaleString('en-US')} events/s (${run.seconds.toFixed(1)} s), ordered scan ${Math.round(run.scanPerSecond).toLocaleString('en-US')} rows/s, ratio ${(run.eventsPerSecond / run.scanPerSecond).toFixed(3)}\n`,
    );
  }
  if (names.includes('timeline') && names.includes('users')) {
    const q = await queryLatencies(store, { funnels: queriesOnly ? 1000 : 50, journeys: 1000 });
    process.stdout.write(
      `queries over ${q.users.toLocaleString('en-US')} users: funnel p50 ${q.funnel.median.toFixed(2)} ms p99 ${q.funnel.p99.toFixed(2)} ms (raw COUNT(*) of sign-ups by T over the index p50 ${q.rawSignupCount.median.toFixed(2)} p99 ${q.rawSignupCount.p99.toFixed(2)} ms; per-user funnel as before p50 ${q.perUserFunnel.median.toFixed(0)} ms); journey p50 ${q.journey.median.toFixed(2)} ms p99 ${q.journey.p99.toFixed(2)} ms (raw index read p50 ${q.rawJourney.median.toFixed(2)} p99 ${q.rawJourney.p99.toFixed(2)} ms)\n`,
    );
  }
} finally {
  await files.remove();
}
