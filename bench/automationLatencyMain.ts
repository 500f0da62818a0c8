import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { automationLatencyBench, automationStageLines, automationSummary } from './automationLatencyBench.ts';

/**
 * `node bin/run.js bench/automationLatencyMain.ts [seconds] [eventsPerSecond] [--profile]`: the
 * automation latency bench on its own (default 30 s at 1,000 sign-ups a second); `--profile`
 * writes Journey's CPU profile to .bench-out/profiles.
 */
const [seconds = 30, eventsPerSecond = 1_000] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map(Number);
if (!(seconds > 0) || !(eventsPerSecond > 0))
  throw new Error(
    `seconds and eventsPerSecond must be positive numbers, e.g. node bin/run.js bench/automationLatencyMain.ts 30 1000 (got ${process.argv.slice(2).join(' ')})`,
  );
const profileDir = join(fileURLToPath(new URL('..', import.meta.url)), '.bench-out', 'profiles');
const execArgv = process.argv.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
const run = await automationLatencyBench({ seconds, eventsPerSecond, execArgv });
process.stdout.write(`${automationSummary(run, eventsPerSecond, seconds)}\n${automationStageLines(run).join('\n')}\n`);
