import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { ReportDocuments } from '../application/ports/funnelReport.ts';
import type { UserProfile } from '../application/ports/readModels/readModels.ts';
import { buildFunnelReport } from '../application/reports/buildFunnelReport.ts';
import { PdfReportRenderer } from '../infrastructure/pdf/pdfReportRenderer.ts';
import { SqliteReadModels } from '../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import { SqliteSessionStore } from '../infrastructure/sqlite/sessionStore/sqliteSessionStore.ts';
import type { Figure } from './report.ts';
import { summarize } from './stats.ts';
import type { TempFiles } from './tempFiles.ts';

/**
 * Report generation at each size (100k and 300k users in `npm run bench`): a day's funnel with a
 * 30-day trend, profiles, latest events, 15 days' sessions and a PDF per stage written to files,
 * each run in a fresh child so its peak RSS is its own. The baseline, alike: raw SQLite reads of the
 * same read models (not the sessions), nothing rendered. The targets: peak RSS under 300 MB at the first size, growing less than 50 MB after.
 */
const DATE = '2026-03-10';
const AS_OF = Date.parse(`${DATE}T23:59:59.999Z`);
const DAY = 86_400_000;
/** the entry point of one measured run */
const child = fileURLToPath(new URL('./reportBench.ts', import.meta.url));
const runJs = fileURLToPath(new URL('../bin/run.js', import.meta.url));

export type ReportChildResult = {
  /** wall-clock time */
  readonly ms: number;
  /** CPU time, user + system: steadier than wall time on a shared machine */
  readonly cpuMs: number;
  readonly maxRssMb: number;
  readonly users: number;
  /** PDF bytes per stage (report runs only) */
  readonly pdfBytes?: Record<string, number>;
  /** the recorded event's JSON size (report runs only) */
  readonly eventBytes?: number;
  /** rows read (baseline runs only) */
  readonly rows?: number;
};

/**
 * Read models for users `from` to `to` − 1: sign-ups over 60 days, 0–3 meaningful activities, a
 * timeline. A larger size adds its users to the smaller one's file, so the 300k dataset is built
 * once; an empty file is filled as a bulk load (indexes built once at the end).
 */
export const prepareReportDatabase = async (file: string, users: number, from = 0): Promise<void> => {
  const store = new SqliteReadModels(file);
  const bulk = await store.beginBulkLoad();
  const batch = 10_000;
  const checkpoint = await store.readCheckpoint('users');
  let position = checkpoint === null ? 0n : BigInt(checkpoint.commit);
  for (let start = from; start < users; start += batch) {
    const previous = position === 0n ? null : { commit: position, prepare: position };
    position++;
    await store.applyBatch('users', { from: previous, to: { commit: position, prepare: position } }, (w) => {
      for (let i = start; i < Math.min(users, start + batch); i++) {
        const userId = `user-${String(i).padStart(7, '0')}`;
        // spread over the 60 days before the report date
        const signedUp = AS_OF - ((i * 7919) % 60_000) * (DAY / 1000);
        const activities = Array.from({ length: i % 4 }, (_, k) => signedUp + (k + 1) * ((i % 5) + 1) * 3_600_000 * 7);
        const at = (ms: number) => new Date(ms).toISOString();
        w.addTimelineEntry({
          userId,
          eventId: `${userId}-s`,
          type: 'UserSignedUp',
          occurredAt: at(signedUp),
          data: { email: `${userId}@example.com` },
          ruleId: 'bench',
          sourceMessageIds: [`${userId}-m`],
        });
        activities.forEach((a, k) => {
          w.addActivity(userId, at(a));
          w.addTimelineEntry({
            userId,
            eventId: `${userId}-${k}`,
            type: k === 0 ? 'ProjectCreated' : 'DeploymentStarted',
            occurredAt: at(a),
            data: {},
            ruleId: 'bench',
            sourceMessageIds: [`${userId}-m${k}`],
          });
        });
        const last = activities.at(-1);
        const profile: UserProfile = {
          userId,
          email: `${userId}@example.com`,
          ...(i % 3 === 0 ? { name: `Person ${i}` } : {}),
          signedUpAt: at(signedUp),
          firstSeenAt: at(signedUp),
          lastSeenAt: at(last ?? signedUp),
          ...(last === undefined ? {} : { lastActivityAt: at(last) }),
          eventCount: 1 + activities.length,
          lastEventType: last === undefined ? 'UserSignedUp' : 'DeploymentStarted',
        };
        w.putProfile(profile);
      }
    });
  }
  if (bulk) {
    await store.commitBulkLoad();
    await store.endBulkLoad();
  }
  await store.close();
};

/** the sessions read model beside a report database: a file of its own, as sessions.db is */
export const sessionsFileOf = (file: string): string => file.replace(/(\.db)?$/, '-sessions.db');

/**
 * Sessions for users `from` to `to` − 1: one per meaningful activity of prepareReportDatabase's, each
 * a few minutes long, so two thirds of the users have some and some start before the 15 days counted.
 */
export const prepareReportSessions = async (file: string, users: number, from = 0): Promise<void> => {
  const store = new SqliteSessionStore(file);
  const batch = 10_000;
  let position = (await store.readCheckpoint('sessions'))?.commit ?? 0n;
  for (let start = from; start < users; start += batch) {
    const previous = position === 0n ? null : { commit: position, prepare: position };
    position++;
    await store.applyBatch('sessions', { from: previous, to: { commit: position, prepare: position } }, (w) => {
      for (let i = start; i < Math.min(users, start + batch); i++) {
        const userId = `user-${String(i).padStart(7, '0')}`;
        const signedUp = AS_OF - ((i * 7919) % 60_000) * (DAY / 1000);
        for (let k = 0; k < i % 4; k++) {
          const started = signedUp + (k + 1) * ((i % 5) + 1) * 3_600_000 * 7;
          const durationMs = ((i + k) % 9) * 60_000 + 15_000;
          w.putSession({
            sessionId: `${userId}-s${k}`,
            userId,
            startedAt: new Date(started).toISOString(),
            endedAt: new Date(started + durationMs).toISOString(),
            durationMs,
            eventCount: 3,
            pageViews: 2,
            firstMessageId: `${userId}-m${k}`,
            lastMessageId: `${userId}-m${k}-last`,
          });
        }
      }
    });
  }
  await store.close();
};

/**
 * This process's own peak RSS. Not `resourceUsage().maxRSS`: Linux carries a parent's peak
 * through fork and exec into the child's, so a child of a large bench process reported the
 * parent's 570 MB for every run. VmHWM is the peak of this process's own memory map.
 */
const maxRssMb = (): number => {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
};

/** one measured run in this process (the child side) */
export const measureReportRun = async (mode: 'report' | 'baseline', file: string): Promise<ReportChildResult> => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const cpuMs = () => {
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / 1000;
  };
  if (mode === 'baseline') {
    const db = new Database(file, { readonly: true });
    const asOf = new Date(AS_OF).toISOString();
    const summaries = db
      .prepare(
        `SELECT u.user_id, u.signed_up_at, COUNT(a.day) AS active_days,
          MAX(CASE WHEN a.last_at <= @asOf THEN a.last_at ELSE a.first_at END) AS last_activity_at
         FROM users u LEFT JOIN activity_days a ON a.user_id = u.user_id AND a.first_at <= @asOf
         WHERE u.signed_up_at IS NOT NULL AND u.signed_up_at <= @asOf GROUP BY u.user_id ORDER BY u.user_id`,
      )
      .all({ asOf });
    let rows = 0;
    for (const _ of db.prepare('SELECT * FROM users').iterate()) rows++;
    for (const _ of db.prepare('SELECT * FROM timeline ORDER BY user_id, occurred_at, seq').iterate()) rows++;
    db.close();
    return { ms: performance.now() - started, cpuMs: cpuMs(), maxRssMb: maxRssMb(), users: summaries.length, rows };
  }
  // what RunFunnelReport does short of recording and posting: the users streamed into four PDF files
  const readModels = new SqliteReadModels(file);
  const sessions = new SqliteSessionStore(sessionsFileOf(file));
  let documents: ReportDocuments | undefined;
  const pdfBytes: Record<string, number> = {};
  try {
    const sources = { readModels, sessions };
    const report = await buildFunnelReport(sources, DATE, { timeZone: 'UTC', windowDays: 15 }, (figures) => {
      const started = new PdfReportRenderer().start(figures);
      documents = started;
      return (stage, user) => started.add(stage, user);
    });
    for (const [stage, pdf] of (await documents?.end()) ?? []) pdfBytes[stage] = pdf.byteLength;
    const users = report.stages.reduce((n, s) => n + s.count, 0);
    const eventBytes = Buffer.byteLength(JSON.stringify(report.recorded));
    return { ms: performance.now() - started, cpuMs: cpuMs(), maxRssMb: maxRssMb(), users, pdfBytes, eventBytes };
  } finally {
    await documents?.discard();
    await readModels.close();
    await sessions.close();
  }
};

const runChild = async (mode: 'report' | 'baseline', file: string): Promise<ReportChildResult> => {
  const { stdout } = await promisify(execFile)(process.execPath, [runJs, child, '--child', mode, file], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ReportChildResult;
};

/** one size's runs */
export type ReportSizeRun = {
  readonly users: number;
  readonly dbMb: number;
  readonly report: ReportChildResult[];
  readonly baseline: ReportChildResult[];
};

export type ReportBenchRun = {
  readonly figures: Figure[];
  readonly context: { sizes: ReportSizeRun[] };
};

/** peak RSS at 100k users must stay under this, and grow by less than RSS_GROWTH_MB to 300k */
export const RSS_TARGET_MB = 300;
export const RSS_GROWTH_MB = 50;

const median = (xs: number[]) => summarize(xs).median;

/**
 * The report at each size (default 100k and 300k users), the larger dataset grown from the
 * smaller one's file. `runs` rounds at the first size; the larger ones, whose point is how memory
 * grows (RSS is steady from run to run), get `largerRuns` (default 1).
 */
export const reportBench = async (
  files: TempFiles,
  options: { sizes: readonly number[]; runs: number; largerRuns?: number; log: (message: string) => void },
): Promise<ReportBenchRun> => {
  const file = files.file('report-readmodels.db');
  const sizes: ReportSizeRun[] = [];
  let built = 0;
  for (const [i, users] of options.sizes.entries()) {
    options.log(
      `report: filling read models with users ${built.toLocaleString('en-US')}–${users.toLocaleString('en-US')}`,
    );
    await prepareReportDatabase(file, users, built);
    await prepareReportSessions(sessionsFileOf(file), users, built);
    built = users;
    const dbMb = (await stat(file)).size / 1e6;
    const report: ReportChildResult[] = [];
    const baseline: ReportChildResult[] = [];
    const runs = i === 0 ? options.runs : (options.largerRuns ?? 1);
    for (let round = 1; round <= runs; round++) {
      const at = `${users.toLocaleString('en-US')} users, round ${round}/${runs}`;
      options.log(`report, ${at}: raw SQLite scan baseline`);
      baseline.push(await runChild('baseline', file));
      options.log(`report, ${at}: report generation (funnel, trend, 4 PDFs)`);
      report.push(await runChild('report', file));
    }
    sizes.push({ users, dbMb, report, baseline });
  }
  const figures: Figure[] = sizes.flatMap(({ users: n, report, baseline }) => {
    const users = n.toLocaleString('en-US');
    return [
      {
        id: `report-generation-time-${n}`,
        label: `daily report for ${users} users: funnel + 30-day trend + 4 PDFs`,
        unit: 'ms',
        value: summarize(report.map((r) => r.ms)),
        baseline: {
          label: 'raw SQLite scan of the same users and timeline',
          value: summarize(baseline.map((r) => r.ms)),
        },
      },
      {
        id: `report-generation-cpu-${n}`,
        label: `daily report for ${users} users: CPU time (user + system)`,
        unit: 'ms',
        value: summarize(report.map((r) => r.cpuMs)),
        baseline: { label: 'raw SQLite scan: CPU time', value: summarize(baseline.map((r) => r.cpuMs)) },
      },
      {
        id: `report-generation-peak-rss-${n}`,
        label: `daily report for ${users} users: peak RSS of the process`,
        unit: 'MB',
        value: summarize(report.map((r) => r.maxRssMb)),
        baseline: { label: 'raw SQLite scan: peak RSS', value: summarize(baseline.map((r) => r.maxRssMb)) },
      },
    ] satisfies Figure[];
  });
  return { figures, context: { sizes } };
};

/** whether peak RSS meets the targets: under RSS_TARGET_MB at the first size, growing less than RSS_GROWTH_MB after */
export const reportRssVerdict = (run: ReportBenchRun): { pass: boolean; line: string } => {
  const rss = run.context.sizes.map((s) => median(s.report.map((r) => r.maxRssMb)));
  const first = rss[0] ?? 0;
  const growth = (rss.at(-1) ?? first) - first;
  const pass = first < RSS_TARGET_MB && growth < RSS_GROWTH_MB;
  const sizes = run.context.sizes.map((s) => s.users.toLocaleString('en-US'));
  return {
    pass,
    line: `peak RSS ${first.toFixed(0)} MB at ${sizes[0]} users (target < ${RSS_TARGET_MB}), +${growth.toFixed(0)} MB to ${sizes.at(-1)} (target < ${RSS_GROWTH_MB}): ${pass ? 'PASS' : 'MISS'}`,
  };
};

/** the figures as lines, for the console */
export function reportBenchSummary(run: ReportBenchRun): string {
  const lines = run.context.sizes.flatMap((size) => {
    const t = median(size.report.map((r) => r.ms));
    const b = median(size.baseline.map((r) => r.ms));
    const c = median(size.report.map((r) => r.cpuMs));
    const bc = median(size.baseline.map((r) => r.cpuMs));
    const rss = median(size.report.map((r) => r.maxRssMb));
    const brss = median(size.baseline.map((r) => r.maxRssMb));
    const first = size.report[0];
    return [
      `daily report, ${size.users.toLocaleString('en-US')} users (read models ${size.dbMb.toFixed(0)} MB), median of ${size.report.length} runs, measured while the machine was shared:`,
      `  generation ${(t / 1000).toFixed(2)} s beside the raw SQLite scan ${(b / 1000).toFixed(2)} s: ${(t / b).toFixed(1)}×`,
      `  CPU time ${(c / 1000).toFixed(2)} s beside the raw scan's ${(bc / 1000).toFixed(2)} s: ${(c / bc).toFixed(1)}×`,
      `  peak RSS ${rss.toFixed(0)} MB beside the raw scan's ${brss.toFixed(0)} MB: ${(rss / brss).toFixed(2)}×`,
      `  PDF sizes: ${Object.entries(first?.pdfBytes ?? {})
        .map(([stage, bytes]) => `${stage} ${(bytes / 1e6).toFixed(2)} MB`)
        .join(', ')}; recorded event ${first?.eventBytes ?? 0} bytes`,
    ];
  });
  return [...lines, `  ${reportRssVerdict(run).line}`].join('\n');
}
