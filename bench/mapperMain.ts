import { loadRules } from '../infrastructure/config/loadRules.ts';
import { eventsInsertBaseline } from './baselines.ts';
import { eventRows, journeyDeliveries } from './eventFactory.ts';
import { type MapperRun, prepareMapperSource, runMapper } from './mapperBench.ts';
import { settle, summarize } from './stats.ts';
import { removeDatabase, tempFiles } from './tempFiles.ts';

/**
 * `node bin/run.js bench/mapperMain.ts [rawEvents] [runs]`: mapper + append alone, each round
 * beside the raw events-table insert baseline, as in `npm run bench`; prints each round's ratio
 * and the medians. Add `--cpu-prof` before `bin/run.js` to profile it.
 */
const [countArg, runsArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const count = Number(countArg ?? 100_000);
const runs = Number(runsArg ?? 3);
const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

/** CPU (user + system) of this process since `from`: steadier than wall time on a loaded machine */
const cpuMsSince = (from: NodeJS.CpuUsage): number => {
  const { user, system } = process.cpuUsage(from);
  return (user + system) / 1000;
};

const files = await tempFiles();
try {
  const rules = loadRules(undefined);
  log(`filling a raw log with ${count.toLocaleString('en-US')} demo events`);
  const source = await prepareMapperSource(files, count);
  const rows = eventRows(journeyDeliveries(count, rules, 5));
  const mapper: MapperRun[] = [];
  const baseline: number[] = [];
  for (let round = 1; round <= runs; round++) {
    const baselineFile = files.file('baseline-events.db');
    const baselineCpu = process.cpuUsage();
    baseline.push(eventsInsertBaseline(baselineFile, rows));
    const baselineCpuMs = cpuMsSince(baselineCpu);
    await removeDatabase(baselineFile);
    const from = process.hrtime.bigint() / 1000n;
    const mapperCpu = process.cpuUsage();
    const run = await runMapper(files, source, rules);
    const mapperCpuMs = cpuMsSince(mapperCpu);
    if (process.execArgv.some((a) => a.startsWith('--cpu-prof')))
      log(`profile window ${from}-${process.hrtime.bigint() / 1000n} µs`);
    mapper.push(run);
    const b = baseline[baseline.length - 1] ?? 0;
    log(
      `round ${round}/${runs}: mapper ${Math.round(run.eventsPerSecond)}/s, baseline ${Math.round(b)}/s, ` +
        `ratio ${(run.eventsPerSecond / b).toFixed(3)}; ${run.appended} store events, ` +
        `${run.appends} appends in ${run.commits} commits; CPU ${Math.round(mapperCpuMs)} ms ` +
        `(baseline ${Math.round(baselineCpuMs)} ms for ${rows.length} rows)`,
    );
    await settle();
  }
  const ratios = mapper.map((r, i) => r.eventsPerSecond / (baseline[i] ?? 1));
  const m = summarize(mapper.map((r) => r.eventsPerSecond)).median;
  const b = summarize(baseline).median;
  console.log(
    `mapper + append, ${count} raw events: median ${Math.round(m)}/s, baseline median ${Math.round(b)}/s, ` +
      `median ratio ${summarize(ratios).median.toFixed(3)} (${ratios.map((r) => r.toFixed(3)).join(', ')})`,
  );
  await removeDatabase(source.file);
} finally {
  await files.remove();
}
