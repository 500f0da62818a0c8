import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { UserProfile } from '../application/ports/readModels/readModels.ts';
import { buildFunnelReport } from '../application/reports/buildFunnelReport.ts';
import { stages } from '../domain/stage/stage.ts';
import { PdfReportRenderer } from '../infrastructure/pdf/pdfReportRenderer.ts';
import { SqliteReadModels } from '../infrastructure/sqlite/readModels/sqliteReadModels.ts';
import type { Figure } from './report.ts';
import { summarize } from './stats.ts';
import type { TempFiles } from './tempFiles.ts';

/**
 * Report generation for N users (default 100k): a day's funnel with a 30-day trend, profiles, latest
 * events and a PDF per stage, each run in a fresh child so its peak RSS is its own. The baseline,
 * alike: raw SQLite reads of the same data, nothing rendered.
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
  /** rows read (baseline runs only) */
  readonly rows?: number;
};

/** read models for `users` people: sign-ups over 60 days, 0–3 meaningful activities, a timeline */
export const prepareReportDatabase = async (file: string, users: number): Promise<void> => {
  const store = new SqliteReadModels(file);
  const batch = 10_000;
  let position = 0n;
  for (let start = 0; start < users; start += batch) {
    const from = position === 0n ? null : { commit: position, prepare: position };
    position++;
    await store.applyBatch('users', { from, to: { commit: position, prepare: position } }, (w) => {
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
  await store.close();
};

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

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
  const readModels = new SqliteReadModels(file);
  const report = await buildFunnelReport(readModels, DATE, { timeZone: 'UTC', windowDays: 15 });
  const renderer = new PdfReportRenderer();
  const pdfBytes: Record<string, number> = {};
  for (const stage of stages) pdfBytes[stage] = (await renderer.render(report, stage)).byteLength;
  await readModels.close();
  const users = report.stages.reduce((n, s) => n + s.count, 0);
  return { ms: performance.now() - started, cpuMs: cpuMs(), maxRssMb: maxRssMb(), users, pdfBytes };
};

const runChild = async (mode: 'report' | 'baseline', file: string): Promise<ReportChildResult> => {
  const { stdout } = await promisify(execFile)(process.execPath, [runJs, child, '--child', mode, file], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ReportChildResult;
};

export type ReportBenchRun = {
  readonly figures: Figure[];
  readonly context: { users: number; report: ReportChildResult[]; baseline: ReportChildResult[]; dbMb: number };
};

export const reportBench = async (
  files: TempFiles,
  options: { users: number; runs: number; log: (message: string) => void },
): Promise<ReportBenchRun> => {
  const file = files.file('report-readmodels.db');
  options.log(`report: filling read models with ${options.users.toLocaleString('en-US')} users`);
  await prepareReportDatabase(file, options.users);
  const dbMb = (await stat(file)).size / 1e6;
  const report: ReportChildResult[] = [];
  const baseline: ReportChildResult[] = [];
  for (let round = 1; round <= options.runs; round++) {
    options.log(`report round ${round}/${options.runs}: raw SQLite scan baseline`);
    baseline.push(await runChild('baseline', file));
    options.log(`report round ${round}/${options.runs}: report generation (funnel, trend, 4 PDFs)`);
    report.push(await runChild('report', file));
  }
  const users = options.users.toLocaleString('en-US');
  const figures: Figure[] = [
    {
      id: 'report-generation-time',
      label: `daily report for ${users} users: funnel + 30-day trend + 4 PDFs`,
      unit: 'ms',
      value: summarize(report.map((r) => r.ms)),
      baseline: {
        label: 'raw SQLite scan of the same users and timeline',
        value: summarize(baseline.map((r) => r.ms)),
      },
    },
    {
      id: 'report-generation-cpu',
      label: `daily report for ${users} users: CPU time (user + system)`,
      unit: 'ms',
      value: summarize(report.map((r) => r.cpuMs)),
      baseline: { label: 'raw SQLite scan: CPU time', value: summarize(baseline.map((r) => r.cpuMs)) },
    },
    {
      id: 'report-generation-peak-rss',
      label: `daily report for ${users} users: peak RSS of the process`,
      unit: 'MB',
      value: summarize(report.map((r) => r.maxRssMb)),
      baseline: { label: 'raw SQLite scan: peak RSS', value: summarize(baseline.map((r) => r.maxRssMb)) },
    },
  ];
  return { figures, context: { users: options.users, report, baseline, dbMb } };
};

/** the figures as lines, for the console */
export function reportBenchSummary(run: ReportBenchRun): string {
  const median = (xs: number[]) => summarize(xs).median;
  const t = median(run.context.report.map((r) => r.ms));
  const b = median(run.context.baseline.map((r) => r.ms));
  const c = median(run.context.report.map((r) => r.cpuMs));
  const bc = median(run.context.baseline.map((r) => r.cpuMs));
  const rss = median(run.context.report.map((r) => r.maxRssMb));
  const brss = median(run.context.baseline.map((r) => r.maxRssMb));
  const pdf = run.context.report[0]?.pdfBytes ?? {};
  return [
    `daily report, ${run.context.users.toLocaleString('en-US')} users (read models ${run.context.dbMb.toFixed(0)} MB), median of ${run.context.report.length} runs, measured while the machine was shared:`,
    `  generation ${(t / 1000).toFixed(2)} s beside the raw SQLite scan ${(b / 1000).toFixed(2)} s: ${(t / b).toFixed(1)}×`,
    `  CPU time ${(c / 1000).toFixed(2)} s beside the raw scan's ${(bc / 1000).toFixed(2)} s: ${(c / bc).toFixed(1)}×`,
    `  peak RSS ${rss.toFixed(0)} MB beside the raw scan's ${brss.toFixed(0)} MB: ${(rss / brss).toFixed(1)}×`,
    `  PDF sizes: ${Object.entries(pdf)
      .map(([stage, bytes]) => `${stage} ${(bytes / 1e6).toFixed(2)} MB`)
      .join(', ')}`,
  ].join('\n');
}
