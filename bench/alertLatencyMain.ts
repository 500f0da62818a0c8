import { alertLatencyBench } from './alertLatencyBench.ts';

/** `node bin/run.js bench/alertLatencyMain.ts [seconds] [eventsPerSecond]`: the alert latency bench on its own. */
const seconds = Number(process.argv[2] ?? 30);
const eventsPerSecond = Number(process.argv[3] ?? 1_000);
const run = await alertLatencyBench({ seconds, eventsPerSecond });
process.stdout.write(
  `sign-up alerts, ingest → Slack post, ${eventsPerSecond}/s for ${seconds} s: ${run.posted}/${run.sent} posted; ` +
    `p50 ${run.p50Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms, max ${run.maxMs.toFixed(1)} ms (goal p99 < 50 ms); ` +
    `ingest → outbox row p50 ${run.raisedP50Ms.toFixed(0)} ms, p99 ${run.raisedP99Ms.toFixed(0)} ms; ` +
    `${run.retried} retried${run.retryReason ? ` (${run.retryReason})` : ''}\n`,
);
