import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STORAGE_FAILURE_EXIT_CODE } from '../../apps/cli/stopOnStorageFailure.ts';
import { SqliteRawLog } from '../../infrastructure/sqlite/rawLog/sqliteRawLog.ts';
import { postBatch } from '../collector/postBatch.ts';
import { freePort } from '../freePort.ts';
import { type JourneyProcess, journeyProcess } from '../journey/journeyProcess.ts';
import { sleep } from '../sleep.ts';
import { tempDataDir } from '../tempDataDir.ts';
import { type GeneratedEvent, generateEvents } from './eventGenerator.ts';
import { API_TOKEN, WRITE_KEY } from './journeyCluster.ts';
import { announceSeed, printFigures, runSeed, seededRandom } from './reliabilityRun.ts';
import { auditStore } from './storeAudit.ts';

const SUITE = 'disk full';

/** a tiny tmpfs needs mount(2), which only root (CAP_SYS_ADMIN) may call */
const canMountTmpfs = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = execFileSync('mktemp', ['-d']).toString().trim();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rmdir', [probe]);
  }
})();

const post = async (url: string, batch: readonly GeneratedEvent[]): Promise<string> => {
  try {
    const response = await postBatch(url, WRITE_KEY, batch, { signal: AbortSignal.timeout(15_000) });
    await response.arrayBuffer();
    return String(response.status);
  } catch {
    return 'network';
  }
};

type Fill = { acked: Set<string>; sent: Set<string>; statuses: Record<string, number> };

/**
 * Sends batches until the storage gives out and the process stops: a 200 must mean stored
 * even then (requests in flight while it stops get 503 or a closed connection).
 */
const fillUp = async (url: string, process: JourneyProcess, perUser: GeneratedEvent[][]): Promise<Fill> => {
  const fill: Fill = { acked: new Set(), sent: new Set(), statuses: {} };
  const events = perUser.flat();
  for (let at = 0; at < events.length && process.running; at += 50) {
    const batch = events.slice(at, at + 50);
    for (const e of batch) fill.sent.add(e.messageId);
    const status = await post(url, batch);
    fill.statuses[status] = (fill.statuses[status] ?? 0) + 1;
    if (status === '200') for (const e of batch) fill.acked.add(e.messageId);
  }
  return fill;
};

/**
 * After the disk was full: a fresh start on the same data directory works, and every event
 * that got a 200 is mapped into the store exactly once (nothing half-written, nothing
 * dead-lettered because the disk was full).
 */
/**
 * The process stopped on its own with exit code 74 and one message naming the file and what
 * to do; nothing but 200, 503 or a closed connection was answered, and something was refused.
 */
const stoppedWithMessage = async (process: JourneyProcess, fill: Fill, what: RegExp): Promise<string> => {
  const code = await process.exitCode(30_000);
  const output = process.output();
  expect(code, output).toBe(STORAGE_FAILURE_EXIT_CODE);
  const stops = output.split('\n').filter((line) => line.includes('journey is stopping'));
  expect(stops, output).toHaveLength(1);
  expect(stops[0]).toMatch(what);
  expect(stops[0]).toMatch(/cannot write \/\S+\.db: /);
  expect(stops[0]).toMatch(/then start Journey again/);
  expect(fill.acked.size).toBeGreaterThan(0);
  expect(fill.acked.size).toBeLessThan(fill.sent.size);
  expect(Object.keys(fill.statuses).filter((s) => s !== '200' && s !== '503' && s !== 'network')).toEqual([]);
  return stops[0] ?? '';
};

const recovers = async (dataDir: string, process: JourneyProcess, fill: Fill): Promise<void> => {
  await process.start();
  const rawLog = new SqliteRawLog(join(dataDir, 'raw.db'));
  try {
    const deadline = Date.now() + 60_000;
    while ((await rawLog.pending('mapper')) > 0 && Date.now() < deadline) await sleep(200);
    expect(await rawLog.pending('mapper')).toBe(0);
    // stage and reason only: a dead letter here is a defect, and its reason names it
    expect((await rawLog.listRejected()).map((d) => `${d.stage}: ${d.reason}`)).toEqual([]);
  } finally {
    await rawLog.close();
  }
  const audit = auditStore(dataDir, fill.sent, fill.acked);
  expect(audit.lost.slice(0, 10)).toEqual([]);
  expect(audit.duplicated.slice(0, 10)).toEqual([]);
};

describe('reliability: the disk fills up under the embedded Journey', { timeout: 240_000 }, () => {
  const seed = runSeed();
  const random = seededRandom(seed);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const embedded = async (dataDir: string, limitKiB: () => number | undefined) => {
    const port = await freePort();
    const proc = journeyProcess(
      'journey start',
      ['start'],
      () => ({
        JOURNEY_DATA_DIR: dataDir,
        PORT: String(port),
        JOURNEY_WRITE_KEYS: WRITE_KEY,
        JOURNEY_API_TOKEN: API_TOKEN,
        JOURNEY_SQLITE_POLL_MS: '20',
        LOG_LEVEL: 'info',
      }),
      { fileSizeLimitKiB: limitKiB },
    );
    cleanups.push(() => proc.kill());
    return { proc, url: `http://127.0.0.1:${port}` };
  };

  it.skipIf(!canMountTmpfs)(
    `a full disk (a 3 MB tmpfs; skipped when mount(2) is not allowed, i.e. not root): no 200 without storage, the process stops (exit 74) saying the disk is full, which file and what to do, and after space is freed the next start maps every acknowledged event once${canMountTmpfs ? '' : ' — SKIPPED HERE: cannot mount a tmpfs'}`,
    async () => {
      announceSeed(`${SUITE} (tmpfs)`, seed);
      const data = await tempDataDir('full');
      const dataDir = data.dir;
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dataDir]);
      cleanups.push(async () => {
        execFileSync('umount', [dataDir]);
        await data.remove();
      });
      const { proc, url } = await embedded(dataDir, () => undefined);
      await proc.start();
      const fill = await fillUp(url, proc, generateEvents(random, `df${seed}`, 20_000, 200));
      const message = await stoppedWithMessage(proc, fill, /the disk is full \(SQLITE_FULL.*free space on that disk/);
      printFigures(`${SUITE} (tmpfs)`, { ...fill.statuses, acknowledged: fill.acked.size });
      process.stdout.write(`[reliability] ${SUITE} (tmpfs): ${message.slice(0, 400)}\n`);
      execFileSync('mount', ['-o', 'remount,size=200m', dataDir]);
      await recovers(dataDir, proc, fill);
    },
  );

  it('a file-size limit (ulimit -f) on the process: the same promises, the message names the limit', async () => {
    announceSeed(`${SUITE} (ulimit -f)`, seed);
    const data = await tempDataDir('fsize');
    const dataDir = data.dir;
    cleanups.push(() => data.remove());
    let limit: number | undefined = 1_024;
    const { proc, url } = await embedded(dataDir, () => limit);
    await proc.start();
    const fill = await fillUp(url, proc, generateEvents(random, `fs${seed}`, 20_000, 200));
    await stoppedWithMessage(
      proc,
      fill,
      /the system refused the write \(SQLITE_IOERR.*a file-size limit \(ulimit -f\)/,
    );
    printFigures(`${SUITE} (ulimit -f)`, { ...fill.statuses, acknowledged: fill.acked.size });
    limit = undefined;
    await recovers(dataDir, proc, fill);
  });
});
