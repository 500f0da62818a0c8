import { renderTable } from './report.ts';
import { tempFiles } from './tempFiles.ts';
import { userSearchFigures } from './userSearchBench.ts';

/** `node bin/run.js bench/userSearchMain.ts [--quick]`: the dashboard's user search alone, median of 3 runs. */
const quick = process.argv.includes('--quick');
const files = await tempFiles();
try {
  const figures = await userSearchFigures(files, quick ? 10_000 : 100_000, 3, (m) => process.stderr.write(`${m}\n`));
  console.log(renderTable(figures));
} finally {
  await files.remove();
}
