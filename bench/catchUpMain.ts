import { orderedScanBaseline } from './baselines.ts';
import { runCatchUp } from './projectionBench.ts';
import { prepareRebuildStore } from './rebuildBench.ts';
import { tempFiles } from './tempFiles.ts';

/**
 * `node bin/run.js bench/catchUpMain.ts [events=1000000] [rounds=2]`: the two catch-up rows of
 * `npm run bench` alone, journey events only (timeline ∥ users) and the same events with their
 * activity (timeline ∥ users ∥ sessions), each as a share of its own ordered scan, and the ratio.
 */

const count = Number(process.argv[2] ?? 1_000_000);
const rounds = Number(process.argv[3] ?? 2);
const files = await tempFiles();
const pct = (eventsPerSecond: number, scanPerSecond: number) => (100 * eventsPerSecond) / scanPerSecond;
try {
  const store = await prepareRebuildStore(files, count);
  const activityStore = await prepareRebuildStore(files, count, true);
  process.stderr.write(
    `filled ${store.count.toLocaleString('en-US')} journey events, and ${activityStore.count.toLocaleString('en-US')} with their activity\n`,
  );
  for (let round = 1; round <= rounds; round++) {
    const scan = orderedScanBaseline(store.file);
    const plain = await runCatchUp(store);
    const withActivityScan = orderedScanBaseline(activityStore.file);
    const t0 = performance.now();
    const withSessions = await runCatchUp(activityStore, { sessions: true });
    const seconds = (performance.now() - t0) / 1000;
    const plainShare = pct(plain.eventsPerSecond, scan.rowsPerSecond);
    const sessionsShare = pct(withSessions.eventsPerSecond, withActivityScan.rowsPerSecond);
    process.stdout.write(
      `round ${round}: journey only ${plainShare.toFixed(1)} % of scan (${Math.round(plain.eventsPerSecond).toLocaleString('en-US')} events/s); ` +
        `with sessions ${sessionsShare.toFixed(1)} % of scan (${Math.round(withSessions.eventsPerSecond).toLocaleString('en-US')} events/s, ${seconds.toFixed(1)} s); ` +
        `ratio ${(sessionsShare / plainShare).toFixed(2)}×\n`,
    );
  }
} finally {
  await files.remove();
}
