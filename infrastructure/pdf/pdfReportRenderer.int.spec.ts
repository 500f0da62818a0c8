import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import { reportFixture } from '../../testing/fixtures/reportFixture.ts';
import { PdfReportRenderer } from './pdfReportRenderer.ts';
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

describe('the PDF of a report stage (pdfkit, read back with pdf-parse)', () => {
  const report = reportFixture({ signedUp: 0, activated: 3, active: 120, inactive: 1 });
  const renderer = new PdfReportRenderer();

  it('holds the date, the count, the change and every user of a small stage, on one page', async () => {
    const pdf = await renderer.render(report, 'activated');
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
    const { text, pages } = await textOf(await renderer.render(report, 'active'));
    const firstPageRows = rowsFitting(452);
    expect(firstPageRows).toBeLessThan(120);
    expect(pages).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < 120; i++) expect(text).toContain(`active-user-${String(i).padStart(6, '0')}`);
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text).toContain('continued · users');
  });

  it('says so when a stage is empty', async () => {
    const { text } = await textOf(await renderer.render(report, 'signedUp'));
    expect(text).toContain('No users are in this stage at the end of this day.');
    expect(text).toMatch(/USERS IN STAGE\s+0\b/);
  });

  it('renders the same report to the same bytes', async () => {
    const a = await renderer.render(report, 'inactive');
    const b = await renderer.render(report, 'inactive');
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});
