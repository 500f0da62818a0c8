import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { afterEach, describe, expect, it } from 'vitest';
import type { FunnelReport } from '../../application/ports/funnelReport.ts';
import { type Stage, stages } from '../../domain/stage/stage.ts';
import { fixtureUsers, reportFixture } from '../../testing/fixtures/reportFixture.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';
import { PdfReportRenderer } from './pdfReportRenderer.ts';
import { pagesFor } from './stagePdf.ts';
import { rowsFitting } from './usersTable.ts';

const textOf = async (pdf: Uint8Array) => {
  const parser = new PDFParse({ data: pdf });
  try {
    const result = await parser.getText();
    return { text: result.text, pages: result.total };
  } finally {
    await parser.destroy();
  }
};

/** renders every stage of the report, its users made up as they are laid out, and reads the PDFs back */
const render = async (report: FunnelReport, renderer = new PdfReportRenderer()) => {
  const documents = renderer.start(report);
  try {
    for (const s of report.stages) for (const user of fixtureUsers(s.stage, s.count)) documents.add(s.stage, user);
    const files = await documents.end();
    const bytes = new Map<Stage, Uint8Array>();
    for (const [stage, file] of files) {
      const pdf = new Uint8Array(await readFile(file.path));
      expect(pdf.byteLength).toBe(file.byteLength);
      bytes.set(stage, pdf);
    }
    return { bytes, paths: [...files.values()].map((f) => f.path) };
  } finally {
    await documents.discard();
  }
};

let data: TempDataDir | undefined;
afterEach(async () => {
  await data?.remove();
  data = undefined;
});

describe('the PDFs of a report (pdfkit, written to files as users come, read back with pdf-parse)', () => {
  const report = reportFixture({ signedUp: 0, activated: 3, active: 120, inactive: 1 });

  it('holds the date, the count, the change and every user of a small stage, on one page', async () => {
    const pdf = (await render(report)).bytes.get('activated') ?? new Uint8Array();
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    const { text, pages } = await textOf(pdf);
    expect(pages).toBe(1);
    expect(text).toContain('Activated users');
    expect(text).toContain('2026-03-10');
    expect(text).toContain('Tuesday, 10 March 2026');
    expect(text).toMatch(/USERS IN STAGE\s+3\b/);
    expect(text).toMatch(/\+2\s+1 at the end of 9 Mar/);
    expect(text).toContain('Meaningful activity on exactly one day, the latest within the last 15 days.');
    for (const id of ['activated-user-000000', 'activated-user-000001', 'activated-user-000002']) {
      expect(text).toContain(id);
    }
    expect(text).toContain('activated.0@example.com');
    expect(text).toContain('Page 1 of 1');
  });

  it('continues a large stage over several pages, every user in it, and numbers the pages', async () => {
    const { text, pages } = await textOf((await render(report)).bytes.get('active') ?? new Uint8Array());
    expect(rowsFitting(452)).toBeLessThan(120);
    expect(pages).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 120; i++) expect(text).toContain(`active-user-${String(i).padStart(6, '0')}`);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('continued · users');
  });

  it('lists every user of a stage many pages long once, in the order they came, on the pages it announced', async () => {
    const users = 1_234;
    const big = reportFixture({ signedUp: users, activated: 0, active: 0, inactive: 0 });
    const { text, pages } = await textOf((await render(big)).bytes.get('signedUp') ?? new Uint8Array());
    expect(pages).toBe(pagesFor(users));
    expect(pages).toBeGreaterThan(40);
    const listed = [...text.matchAll(/signedUp-user-(\d{6})/g)].map((m) => Number(m[1]));
    expect(listed).toEqual(Array.from({ length: users }, (_, i) => i));
    expect(text).toContain(`Page ${pages} of ${pages}`);
    // 10 rows on the first page, 22 on each next one: the last page starts with user 10 + 55 × 22 + 1
    expect(text).toContain('continued · users 1221–1234 of 1,234');
  });

  it('says so when a stage is empty', async () => {
    const { text } = await textOf((await render(report)).bytes.get('signedUp') ?? new Uint8Array());
    expect(text).toContain('No users are in this stage at the end of this day.');
    expect(text).toMatch(/USERS IN STAGE\s+0\b/);
  });

  it('renders the same report to the same bytes', async () => {
    const a = (await render(report)).bytes;
    const b = (await render(report)).bytes;
    for (const stage of stages)
      expect(Buffer.from(a.get(stage) ?? []).equals(Buffer.from(b.get(stage) ?? []))).toBe(true);
  });

  it('removes its temporary files when discarded, and keeps finished ones in the directory it is given', async () => {
    const { paths } = await render(report);
    expect(paths).toHaveLength(4);
    expect(paths.some((p) => existsSync(p) || existsSync(dirname(p)))).toBe(false);

    data = await tempDataDir('report-pdfs');
    const out = join(data.dir, 'out');
    const kept = await render(report, new PdfReportRenderer({ keepIn: out }));
    expect(kept.paths.sort()).toEqual(stages.map((s) => join(out, `funnel-2026-03-10-${s}.pdf`)).sort());
    expect(kept.paths.every((p) => existsSync(p))).toBe(true);
  });
});
