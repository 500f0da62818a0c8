import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadRules } from '../infrastructure/config/loadRules.ts';
import { natsBench } from './natsBench.ts';
import { renderTable, targetsLine } from './report.ts';
import { tempFiles } from './tempFiles.ts';

/**
 * `node bin/run.js bench/natsBenchMain.ts [--quick] [--profile]`: the NATS JetStream figures on
 * their own (also part of `npm run bench`). Needs nats-server on PATH. `--profile` writes the
 * ingest servers' CPU profiles to .bench-out/profiles.
 */
const quick = process.argv.includes('--quick');
const profileDir = join(fileURLToPath(new URL('..', import.meta.url)), '.bench-out', 'profiles');
const serverExecArgv = process.argv.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
const runs = quick ? 1 : 3;
const files = await tempFiles();
const started = performance.now();
try {
  const result = await natsBench(files, {
    runs,
    ingest: { connections: 10, durationS: quick ? 2 : 10, warmupS: 1, eventsPerBody: 100, serverExecArgv },
    mapperEvents: quick ? 5_000 : 20_000,
    rules: loadRules(undefined),
    log: (m) => process.stderr.write(`[nats bench ${((performance.now() - started) / 1000).toFixed(0)} s] ${m}\n`),
  });
  process.stdout.write(
    [
      '',
      `Journey NATS bench, Node ${process.version}, ${cpus().length} cores: median of ${runs} run(s), each beside its baseline from the same run${quick ? ' (QUICK MODE: not comparable)' : ''}`,
      '',
      renderTable(result.figures),
      '',
      `JetStream messages per 100-event request (grouped): ${Number(result.context.natsIngestMessagesPerRequest).toFixed(1)}`,
      ...result.notes.map((n) => `NOTE: ${n}`),
      targetsLine(result.figures),
      '',
    ].join('\n'),
  );
} finally {
  await files.remove();
}
