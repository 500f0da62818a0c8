import PDFDocument from 'pdfkit';
import type { FunnelFigures, RenderedDocument, ReportUser } from '../../application/ports/funnelReport.ts';
import { stageTitles } from '../../domain/report/stageDefinitions.ts';
import type { Stage } from '../../domain/stage/stage.ts';
import { drawFirstPage } from './firstPage.ts';
import { PdfFile } from './pdfFile.ts';
import { dateTimeFormatter, formatCount, theme } from './pdfTheme.ts';
import { drawTableHeader, drawUserRow, ROW_HEIGHT, rowsFitting, tableWidth } from './usersTable.ts';

const FIRST_TABLE_TOP = 452;
const NEXT_TABLE_TOP = theme.page.margin + 34;
const firstRows = rowsFitting(FIRST_TABLE_TOP);
const nextRows = rowsFitting(NEXT_TABLE_TOP);

/** how many pages a table of `users` rows takes */
export const pagesFor = (users: number): number => 1 + Math.max(0, Math.ceil((users - firstRows) / nextRows));

/**
 * One stage's PDF, written to its file as its users are added. The page count comes from the
 * stage's count, known before the first row, so "Page 3 of 12" needs no page kept in memory; a
 * finished page is written out when the next one starts.
 */
export class StagePdf {
  private readonly doc: PDFKit.PDFDocument;
  private readonly file: PdfFile;
  private readonly done: Promise<void>;
  private readonly formatInstant: (iso: string) => string;
  private readonly pages: number;
  private readonly count: number;
  private readonly date: string;
  private page = 1;
  private top: number;
  private onPage = 0;
  private capacity = firstRows;
  private added = 0;

  constructor(
    figures: FunnelFigures,
    private readonly stage: Stage,
    path: string,
  ) {
    const stageFigures = figures.stages.find((s) => s.stage === stage);
    if (!stageFigures) throw new Error(`the report for ${figures.recorded.date} has no stage ${stage}`);
    const { date, asOf, timeZone } = figures.recorded;
    this.count = stageFigures.count;
    this.date = date;
    this.pages = pagesFor(this.count);
    this.formatInstant = dateTimeFormatter(timeZone);
    this.doc = new PDFDocument({
      size: theme.page.size,
      // the layout is drawn at fixed places; no bottom margin, so the footer never adds a page
      margins: { top: theme.page.margin, left: theme.page.margin, right: theme.page.margin, bottom: 0 },
      autoFirstPage: true,
      info: {
        Title: `${stageTitles[stage]} users, ${date}`,
        Author: 'Journey',
        Subject: 'Daily funnel report',
        // a fixed creation date keeps a report's PDF the same bytes whenever it is rendered
        CreationDate: new Date(asOf),
        ModDate: new Date(asOf),
      },
    });
    this.file = new PdfFile(path);
    this.done = new Promise<void>((resolve, reject) => {
      this.doc.on('end', resolve);
      this.doc.on('error', reject);
    });
    drawFirstPage(this.doc, figures, stageFigures);
    this.top = drawTableHeader(this.doc, FIRST_TABLE_TOP);
  }

  add(user: ReportUser): void {
    if (this.onPage === this.capacity) this.nextPage();
    drawUserRow(this.doc, user, this.top + this.onPage * ROW_HEIGHT, this.onPage % 2 === 1, this.formatInstant);
    this.onPage++;
    this.added++;
  }

  async end(): Promise<RenderedDocument> {
    if (this.added === 0) {
      this.doc
        .font(theme.font.regular)
        .fontSize(9)
        .fillColor(theme.muted)
        .text('No users are in this stage at the end of this day.', theme.page.margin + 6, this.top + 10, {
          lineBreak: false,
        });
    }
    this.footer();
    this.doc.end();
    this.drain();
    await this.done;
    return { path: this.file.path, byteLength: this.file.close() };
  }

  /** stops writing; the caller removes the file */
  abandon(): void {
    this.file.abandon();
  }

  /**
   * Moves what pdfkit has produced to the file. Read here, not in a 'data' listener: the stream
   * only flows once the event loop turns, which a layout loop over synchronous reads never lets it
   * do, so every page would wait in the stream's buffer until the end.
   */
  private drain(): void {
    for (let chunk = this.doc.read() as Buffer | null; chunk !== null; chunk = this.doc.read() as Buffer | null) {
      this.file.write(chunk);
    }
  }

  private nextPage(): void {
    const doc = this.doc;
    this.footer();
    const finished = doc.page;
    doc.addPage();
    // written out by addPage; the pages list keeps only its reference, not its contents and resources
    finished.dictionary.data = {} as typeof finished.dictionary.data;
    this.drain();
    this.page++;
    doc
      .font(theme.font.bold)
      .fontSize(9)
      .fillColor(theme.ink)
      .text(`${stageTitles[this.stage]} users · ${this.date}`, theme.page.margin, theme.page.margin, {
        lineBreak: false,
      });
    // more users than counted (a late event between the two reads) still get their rows
    const last = Math.max(this.count, this.added + 1);
    doc
      .font(theme.font.regular)
      .fontSize(8)
      .fillColor(theme.muted)
      .text(
        `continued · users ${this.added + 1}–${Math.min(last, this.added + nextRows)} of ${formatCount(this.count)}`,
        theme.page.margin,
        theme.page.margin + 12,
        { lineBreak: false },
      );
    this.top = drawTableHeader(doc, NEXT_TABLE_TOP);
    this.onPage = 0;
    this.capacity = nextRows;
  }

  private footer(): void {
    const doc = this.doc;
    doc.font(theme.font.regular).fontSize(7).fillColor(theme.faint);
    const y = theme.page.height - theme.page.margin - 8;
    doc.text(`Journey daily funnel report · ${stageTitles[this.stage]} · ${this.date}`, theme.page.margin, y, {
      lineBreak: false,
    });
    doc.text(`Page ${this.page} of ${Math.max(this.pages, this.page)}`, theme.page.margin, y, {
      width: tableWidth,
      align: 'right',
      lineBreak: false,
    });
  }
}
