import { liveTailBench, liveTailSummary } from './liveTailBench.ts';

/** `node bin/run.js bench/liveTailMain.ts [seconds] [eventsPerSecond]`: the live explorer's latency on its own */
const [seconds = 30, eventsPerSecond = 1_000] = process.argv.slice(2).map(Number);
const run = await liveTailBench({ seconds, eventsPerSecond });
process.stdout.write(`${liveTailSummary(run, eventsPerSecond, seconds)}\n`);
