import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestFigures, ingestGroupCommit, ingestNotes, ingestRounds } from './ingestRounds.ts';
import { renderTable, targetsLine } from './report.ts';
import { tempFiles } from './tempFiles.ts';

/**
 * `node bin/run.js bench/ingestMain.ts [--quick] [--profile] [--runs=N]`: the HTTP ingest figures
 * alone (also part of `npm run bench`), medians of the rounds. `--profile` writes the server
 * processes' CPU profiles to .bench-out/profiles.
 */
const quick = process.argv.includes('--quick');
const profile = process.argv.includes('--profile');
const runsArg = process.argv.find((a) => a.startsWith('--runs='));
const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : 3;
if (!Number.isInteger(runs) || runs < 1) throw new Error(`${runsArg} is not a number of rounds; use --runs=3`);
const profileDir = join(fileURLToPath(new URL('..', import.meta.url)), '.bench-out', 'profiles');
const ingest = {
  connections: 10,
  durationS: quick ? 2 : 10,
  warmupS: 1,
  eventsPerBody: 100,
  ...(profile ? { serverExecArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
};
const files = await tempFiles();
const started = performance.now();
try {
  const rounds = await ingestRounds(files, {
    runs,
    ingest,
    rawInsertRows: quick ? 20_000 : 100_000,
    log: (m) => process.stderr.write(`[ingest bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${m}\n`),
  });
  const figures = ingestFigures(rounds);
  const perRound = rounds.durable.map((run, i) => {
    const raw = rounds.rawInsert[i] ?? 0;
    const parse = rounds.parseOnly[i]?.eventsPerSecond ?? 0;
    const cpu =
      run.cpuMs === undefined ? '' : `, server CPU ${((run.cpuMs * 1000) / run.stored).toFixed(1)} ms/1,000 events`;
    const explorer = rounds.explorer[i];
    const withIndex =
      explorer === undefined
        ? ''
        : `; with the explorer's index ${Math.round(explorer.eventsPerSecond)}/s, ${(explorer.eventsPerSecond / run.eventsPerSecond).toFixed(3)}×` +
          (explorer.cpuMs === undefined
            ? ''
            : `, CPU ${((explorer.cpuMs * 1000) / explorer.stored).toFixed(1)} ms/1,000`);
    return `round ${i + 1}: durable ${Math.round(run.eventsPerSecond)}/s, ${(run.eventsPerSecond / raw).toFixed(3)}× raw insert, ${(run.eventsPerSecond / parse).toFixed(3)}× parse-only${cpu}${withIndex}`;
  });
  const groupCommit = ingestGroupCommit(rounds);
  process.stdout.write(
    [
      '',
      `Journey ingest bench, Node ${process.version}, ${cpus().length} cores: median of ${runs} run(s), each beside its baselines from the same run${quick ? ' (QUICK MODE: not comparable)' : ''}`,
      '',
      renderTable(figures),
      '',
      ...perRound,
      `durable ingest group commit: ${groupCommit.requestsPerCommit.toFixed(1)} requests (${groupCommit.eventsPerCommit.toFixed(0)} events) per fsync`,
      ...ingestNotes(rounds, ingest).map((n) => `NOTE: ${n}`),
      ...(profile ? [`CPU profiles of the servers: ${profileDir}`] : []),
      targetsLine(figures),
      '',
    ].join('\n'),
  );
} finally {
  await files.remove();
}
