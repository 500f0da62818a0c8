import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alertLatencyBench } from './alertLatencyBench.ts';
import { formatHop } from './alertStages.ts';

/**
 * `node bin/run.js bench/alertLatencyMain.ts [seconds] [eventsPerSecond] [--profile]`: the alert
 * latency bench on its own; `--profile` writes Journey's CPU profile to .bench-out/profiles.
 */
const [seconds = 30, eventsPerSecond = 1_000] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map(Number);
const profileDir = join(fileURLToPath(new URL('..', import.meta.url)), '.bench-out', 'profiles');
const execArgv = process.argv.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
const run = await alertLatencyBench({ seconds, eventsPerSecond, execArgv });
process.stdout.write(
  `sign-up alerts, ingest → Slack post, ${eventsPerSecond}/s for ${seconds} s: ${run.posted}/${run.sent} posted; ` +
    `p50 ${run.p50Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms, max ${run.maxMs.toFixed(1)} ms (goal p99 < 50 ms); ` +
    `ingest → outbox row p50 ${run.raisedP50Ms.toFixed(0)} ms, p99 ${run.raisedP99Ms.toFixed(0)} ms; ` +
    `${run.retried} retried${run.retryReason ? ` (${run.retryReason})` : ''}\n` +
    `  hops, p50 / p99 / max ms: sent → collector ${formatHop(run.stages.toReceived)}; sent → 200 ${formatHop(run.stages.toAnswered)}; ` +
    `received → mapped ${formatHop(run.stages.receivedToMapped)}; mapped → outbox ${formatHop(run.stages.mappedToRaised)}; ` +
    `outbox → Slack ${formatHop(run.stages.raisedToPosted)}\n` +
    `  baseline, same disk, just before: one FULL commit (an fsync) p50 ${run.fullCommit.p50Ms.toFixed(2)} ms, p99 ${run.fullCommit.p99Ms.toFixed(2)} ms, ` +
    `max ${run.fullCommit.maxMs.toFixed(1)} ms (${run.fullCommit.perSecond.toFixed(0)}/s; NORMAL ${run.normalCommit.perSecond.toFixed(0)}/s); ` +
    `alert p99 / FULL commit p99: ${(run.p99Ms / run.fullCommit.p99Ms).toFixed(0)}×\n`,
);
