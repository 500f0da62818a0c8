import { rawEventsFigures } from './rawEventsBench.ts';
import { renderTable } from './report.ts';
import { tempFiles } from './tempFiles.ts';

/**
 * `node bin/run.js bench/rawEventsMain.ts [--events N]`: the explorer's one-user query alone, median of
 * 3 runs; 1,000,000 raw events unless told.
 */
const at = process.argv.indexOf('--events');
const events = at === -1 ? 1_000_000 : Number(process.argv[at + 1]);
if (!Number.isInteger(events) || events < 1)
  throw new Error('--events takes a whole number of raw events, e.g. --events 20000');
const files = await tempFiles();
try {
  const { figures, line } = await rawEventsFigures(files, events, 3, (m) => process.stderr.write(`${m}\n`));
  console.log(renderTable(figures));
  console.log(line);
} finally {
  await files.remove();
}
