import { measureReportRun, reportBench, reportBenchSummary } from './reportFigures.ts';
import { tempFiles } from './tempFiles.ts';

/**
 * `node bin/run.js bench/reportBench.ts [users,users…] [runs]`: the daily-report bench on its own
 * (default 100k and 300k users, 3 runs at the first size, 1 at the others). With `--child report|baseline FILE` it is one measured run,
 * started by reportFigures.ts in a fresh process so that its peak RSS is its own.
 */
if (process.argv[2] === '--child') {
  const mode = process.argv[3] === 'baseline' ? 'baseline' : 'report';
  process.stdout.write(`${JSON.stringify(await measureReportRun(mode, process.argv[4] ?? ''))}\n`);
} else {
  const sizes = (process.argv[2] ?? '100000,300000').split(',').map(Number);
  const runs = Number(process.argv[3] ?? 3);
  const files = await tempFiles();
  try {
    const log = (m: string) => process.stderr.write(`[report bench] ${m}\n`);
    const run = await reportBench(files, { sizes, runs, log });
    process.stdout.write(`${reportBenchSummary(run)}\n`);
  } finally {
    await files.remove();
  }
}
