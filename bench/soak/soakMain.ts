import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { preloadStore } from './preloadStore.ts';
import { chartSvg, soakPanels } from './soakChart.ts';
import { type JudgedSoak, judgeSoak, markdownTable, soakTableRows } from './soakReport.ts';
import { runSoak, type SoakMode } from './soakRun.ts';
import { SOAK_TARGETS } from './soakSummary.ts';
import { svgToPng } from './svgToPng.ts';

/**
 * `npm run bench:soak -- [--minutes 10] [--rate 2000] [--mode embedded|nats|both] [--preload 1000000]`:
 * `journey start` under the demo's mixed traffic for a while, a sample every 5 s, a SIGKILL at half
 * time; prints the table and verdicts and writes .bench-out/soak-<mode>.json with a PNG chart beside it.
 */
const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    mode: { type: 'string', default: 'both' },
    preload: { type: 'string', default: '0' },
    sample: { type: 'string', default: '5' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const preload = Number(values.preload);
const sampleS = Number(values.sample);
const modes: SoakMode[] =
  values.mode === 'both' ? ['embedded', 'nats'] : values.mode === 'nats' ? ['nats'] : ['embedded'];
if (
  !(minutes > 0 && rate > 0 && preload >= 0 && sampleS > 0) ||
  !['embedded', 'nats', 'both'].includes(values.mode ?? '')
)
  throw new Error('usage: npm run bench:soak -- --minutes N --rate R --mode embedded|nats|both --preload EVENTS');

const outDir = join(fileURLToPath(new URL('../..', import.meta.url)), '.bench-out');
await mkdir(outDir, { recursive: true });
const started = performance.now();
const log = (line: string) =>
  process.stderr.write(`[soak ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

// the preload is written once and copied for each mode
const preloadDir = preload > 0 && modes.length > 1 ? await mkdtemp(join(tmpdir(), 'journey-soak-preload-')) : undefined;
if (preloadDir !== undefined) preloadStore(preloadDir, preload, log);
const preloadedFile = preloadDir === undefined ? undefined : join(preloadDir, 'events.db');

const judged: JudgedSoak[] = [];
for (const mode of modes) {
  const run = await runSoak({
    mode,
    minutes,
    rate,
    preload,
    sampleS,
    log,
    ...(preloadedFile ? { preloadedFile } : {}),
  });
  const soak = judgeSoak(run);
  judged.push(soak);
  const json = join(outDir, `soak-${mode}.json`);
  const png = join(outDir, `soak-${mode}.png`);
  await writeFile(
    json,
    `${JSON.stringify({ startedAt: new Date().toISOString(), node: process.version, cpus: cpus().length, loadavg: loadavg(), ...soak }, null, 2)}\n`,
  );
  const title = `Soak, ${mode}: ${rate.toLocaleString('en-US')} events/s, ${minutes} min, ${preload.toLocaleString('en-US')} events preloaded; SIGKILL at the dotted line`;
  await svgToPng(
    chartSvg(title, soakPanels(run.samples, SOAK_TARGETS), run.durationS, run.restart ? [run.restart.atS] : []),
    png,
  );
  log(`${mode}: ${json}, ${png}`);
}

if (preloadDir !== undefined) await rm(preloadDir, { recursive: true, force: true });

const lines = [
  '',
  `Journey soak, ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}: ` +
    `${rate.toLocaleString('en-US')} events/s of the demo mix for ${minutes} min, ${preload.toLocaleString('en-US')} preloaded events`,
  '',
  markdownTable(['figure', ...judged.map((j) => j.run.mode), 'target'], soakTableRows(judged)),
  '',
  ...judged.flatMap((j) => j.verdicts.map((v) => `${j.run.mode}: ${v.text}`)),
  `targets: ${judged.flatMap((j) => j.verdicts.map((v) => `${v.id}-${j.run.mode} ${v.pass ? 'PASS' : 'MISS'}`)).join(', ')}`,
  `soak ran in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  '',
];
process.stdout.write(lines.join('\n'));
