import { orderedScanBaseline } from './baselines.ts';
import { runCatchUp } from './projectionBench.ts';
import { prepareRebuildStore } from './rebuildBench.ts';
import { tempFiles } from './tempFiles.ts';

/**
 * `node bin/run.js bench/catchUpMain.ts [events=1000000] [rounds=2] [--sessions-alone]`: the two
 * catch-up rows of `npm run bench` alone, journey events only (timeline ∥ users) and the same
 * events with their activity (timeline ∥ users ∥ sessions), each as a share of its own ordered
 * scan, and the ratio. `--sessions-alone` also times the sessions projection with nothing beside it.
 */

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const count = Number(args[0] ?? 1_000_000);
const rounds = Number(args[1] ?? 2);
const sessionsAlone = process.argv.includes('--sessions-alone');
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
    const withSessions = await runCatchUp(activityStore, { sessions: true });
    const plainShare = pct(plain.eventsPerSecond, scan.rowsPerSecond);
    const sessionsShare = pct(withSessions.eventsPerSecond, withActivityScan.rowsPerSecond);
    process.stdout.write(
      `round ${round}: journey only ${plainShare.toFixed(1)} % of scan (${Math.round(plain.eventsPerSecond).toLocaleString('en-US')} events/s); ` +
        `with sessions ${sessionsShare.toFixed(1)} % of scan (${Math.round(withSessions.eventsPerSecond).toLocaleString('en-US')} events/s, ${withSessions.seconds.toFixed(1)} s); ` +
        `ratio ${(sessionsShare / plainShare).toFixed(2)}×\n`,
    );
    if (sessionsAlone) {
      const alone = await runCatchUp(activityStore, { sessionsAlone: true });
      process.stdout.write(`round ${round}: the sessions projection alone ${alone.seconds.toFixed(1)} s\n`);
    }
  }
} finally {
  await files.remove();
}
