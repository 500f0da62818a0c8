import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { afterEach, describe, expect, it } from 'vitest';
import { applyNext } from '../../application/ports/readModels/readModels.fixtures.ts';
import { pos, session } from '../../application/ports/sessionStore/sessionStore.fixtures.ts';
import type { SessionStore } from '../../application/ports/sessionStore/sessionStore.ts';
import { RunFunnelReport } from '../../application/reports/runFunnelReport.ts';
import { PdfReportRenderer } from '../../infrastructure/pdf/pdfReportRenderer.ts';
import { DryRunReportPublisher } from '../../infrastructure/slack/dryRunReportPublisher.ts';
import { MemoryEventStore } from '../../testing/memory/memoryEventStore.ts';
import { MemoryReadModels } from '../../testing/memory/memoryReadModels.ts';
import { MemorySessionStore } from '../../testing/memory/memorySessionStore.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';

const DATE = '2026-03-10';

const textOf = async (file: string): Promise<string> => {
  const parser = new PDFParse({ data: new Uint8Array(await readFile(file)) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
};

/** ada and cy, both activated on the 5th; cy has no sessions at all */
const readModels = async (): Promise<MemoryReadModels> => {
  const store = new MemoryReadModels({ windowDays: 15 });
  await applyNext(store, (w) => {
    for (const userId of ['ada', 'cy']) {
      const signedUpAt = userId === 'ada' ? '2026-03-01T09:00:00.000Z' : '2026-03-02T09:00:00.000Z';
      w.putProfile({
        userId,
        email: `${userId}@example.com`,
        signedUpAt,
        firstSeenAt: signedUpAt,
        lastSeenAt: '2026-03-05T09:00:00.000Z',
        eventCount: 2,
        lastEventType: 'DeploymentStarted',
      });
      w.addActivity(userId, '2026-03-05T09:00:00.000Z');
    }
  });
  return store;
};

/**
 * ada's sessions: two in the 15 days up to the end of the 10th (10 and 25 minutes), one started just
 * before them (50 minutes, so it ends inside; a session counts by its start)
 */
const adaSessions = async (): Promise<MemorySessionStore> => {
  const store = new MemorySessionStore();
  await store.applyBatch('sessions', { from: null, to: pos(1) }, (w) => {
    w.putSession(session('ada', '2026-02-23T23:50:00.000Z', 'out', { durationMs: 50 * 60_000 }));
    w.putSession(session('ada', '2026-03-03T10:00:00.000Z', 'in1', { durationMs: 10 * 60_000 }));
    w.putSession(session('ada', '2026-03-09T14:00:00.000Z', 'in2', { durationMs: 25 * 60_000 }));
  });
  return store;
};

let data: TempDataDir | undefined;
let runs = 0;
afterEach(async () => {
  await data?.remove();
  data = undefined;
});

/** `report run --dry-run --out`: the PDFs and the Slack payloads as files */
const dryRun = async (sessions: Pick<SessionStore, 'sessionTotalsOf'>) => {
  data ??= await tempDataDir('report-sessions');
  const out = join(data.dir, `out-${++runs}`);
  const warnings: string[] = [];
  const run = await new RunFunnelReport({
    store: new MemoryEventStore(),
    readModels: await readModels(),
    sessions,
    logger: { info: () => {}, error: () => {}, warn: (_, message) => void warnings.push(message) },
    renderer: new PdfReportRenderer({ keepIn: out }),
    publisher: new DryRunReportPublisher(out, '#portal-analytics'),
    options: { timeZone: 'UTC', windowDays: 15 },
    newId: () => crypto.randomUUID(),
  }).run(DATE, { dryRun: true });
  const slack = JSON.parse(await readFile(join(out, `slack-${DATE}.json`), 'utf8')) as {
    messages: { stage: string; replies: string[] }[];
  };
  return {
    kind: run.kind,
    warnings,
    pdf: await textOf(join(out, `funnel-${DATE}-activated.pdf`)),
    replies: slack.messages.find((m) => m.stage === 'activated')?.replies ?? [],
  };
};

describe("the daily report's sessions per user (pdfkit, read back with pdf-parse)", () => {
  it('shows in the PDF and the Slack replies the sessions of the 15 days up to the report, not those before', async () => {
    const { kind, pdf, replies, warnings } = await dryRun(await adaSessions());
    expect(kind).toBe('dry-run');
    // pdf-parse reads a row's cells in order, a cell's second line after its first
    expect(pdf).toMatch(
      /\nada ada@example\.com 2026-03-01\s+09:00\s+2026-03-05\s+09:00\s+2 sessions\s+35 min\s+none\n/,
    );
    // with the one that started before the 15 days, it would be 3 sessions, 1 h 25 min
    expect(pdf).not.toContain('3 sessions');
    expect(pdf).not.toContain('1 h 25 min');
    expect(pdf).toMatch(/\ncy cy@example\.com 2026-03-02\s+09:00\s+2026-03-05\s+09:00\s+0 sessions\s+—\s+none\n/);
    expect(pdf).toContain('sessions: started in the 15 days up to as-of');
    // newest sign-up first
    expect(replies).toEqual([
      expect.stringMatching(/^\*cy\* .* · sessions in 15 days: 0$/),
      expect.stringMatching(/^\*ada\* .* · sessions in 15 days: 2 \(35 min\)$/),
    ]);
    expect(warnings).toEqual([]);
  });

  it('shows 0 while the sessions projection has nothing yet, and — when it cannot be read, and still reports', async () => {
    const empty = await dryRun(new MemorySessionStore());
    expect(empty.kind).toBe('dry-run');
    expect(empty.pdf.match(/0 sessions/g)).toHaveLength(2);
    expect(empty.replies.map((r) => r.includes('sessions in 15 days: 0'))).toEqual([true, true]);

    const broken = await dryRun({
      sessionTotalsOf: async () => {
        throw new Error('SQLITE_CORRUPT: database disk image is malformed');
      },
    });
    expect(broken.kind).toBe('dry-run');
    expect(broken.pdf).toMatch(/\nada ada@example\.com 2026-03-01\s+09:00\s+2026-03-05\s+09:00\s+—\s+none\n/);
    expect(broken.pdf).not.toMatch(/\d sessions?\b/);
    expect(broken.replies.map((r) => r.includes('sessions in 15 days: —'))).toEqual([true, true]);
    expect(broken.warnings).toEqual([expect.stringContaining('database disk image is malformed')]);
  });
});
