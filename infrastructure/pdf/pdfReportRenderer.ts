import PDFDocument from 'pdfkit';
import type { FunnelReport, ReportRenderer, StageReport } from '../../application/ports/funnelReport.ts';
import { stageDefinitionOf, stageTitles } from '../../domain/report/stageDefinitions.ts';
import { addDays } from '../../domain/report/zonedDay.ts';
import type { Stage } from '../../domain/stage/stage.ts';
import { dateTimeFormatter, formatCount, growthMeaning, longDate, shortDate, stageColors, theme } from './pdfTheme.ts';
import { drawTrendChart } from './trendChart.ts';
import { drawTableHeader, drawUserRow, ROW_HEIGHT, rowsFitting, tableWidth } from './usersTable.ts';

const FIRST_TABLE_TOP = 452;
const NEXT_TABLE_TOP = theme.page.margin + 34;

/**
 * One stage of a daily report as an A4 PDF: a title band, the stage's definition, key
 * figures (count, change from the day before, new sign-ups), a 30-day trend drawn as
 * vectors, and the users table continued over as many pages as it needs.
 */
export class PdfReportRenderer implements ReportRenderer {
  async render(report: FunnelReport, stage: Stage): Promise<Uint8Array> {
    const stageReport = report.stages.find((s) => s.stage === stage);
    if (!stageReport) throw new Error(`the report for ${report.recorded.date} has no stage ${stage}`);
    const { date } = report.recorded;
    const doc = new PDFDocument({
      size: theme.page.size,
      // the layout is drawn at fixed places; no bottom margin, so the footer never adds a page
      margins: { top: theme.page.margin, left: theme.page.margin, right: theme.page.margin, bottom: 0 },
      autoFirstPage: true,
      info: {
        Title: `${stageTitles[stage]} users, ${date}`,
        Author: 'Journey',
        Subject: 'Daily funnel report',
        // a fixed creation date keeps a report's PDF the same bytes whenever it is rendered
        CreationDate: new Date(report.recorded.asOf),
        ModDate: new Date(report.recorded.asOf),
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = new Promise<void>((resolve, reject) => {
      doc.on('end', resolve);
      doc.on('error', reject);
    });

    const firstRows = rowsFitting(FIRST_TABLE_TOP);
    const nextRows = rowsFitting(NEXT_TABLE_TOP);
    const users = stageReport.users;
    const pages = 1 + Math.max(0, Math.ceil((users.length - firstRows) / nextRows));
    let page = 1;
    const footer = () => {
      doc.font(theme.font.regular).fontSize(7).fillColor(theme.faint);
      const y = theme.page.height - theme.page.margin - 8;
      doc.text(`Journey daily funnel report · ${stageTitles[stage]} · ${date}`, theme.page.margin, y, {
        lineBreak: false,
      });
      doc.text(`Page ${page} of ${pages}`, theme.page.margin, y, {
        width: tableWidth,
        align: 'right',
        lineBreak: false,
      });
    };

    drawFirstPage(doc, report, stageReport);
    const formatInstant = dateTimeFormatter(report.recorded.timeZone);
    let top = drawTableHeader(doc, FIRST_TABLE_TOP);
    let onPage = 0;
    let capacity = firstRows;
    if (users.length === 0) {
      doc
        .font(theme.font.regular)
        .fontSize(9)
        .fillColor(theme.muted)
        .text('No users are in this stage at the end of this day.', theme.page.margin + 6, top + 10, {
          lineBreak: false,
        });
    }
    users.forEach((user, i) => {
      if (onPage === capacity) {
        footer();
        doc.addPage();
        page++;
        doc
          .font(theme.font.bold)
          .fontSize(9)
          .fillColor(theme.ink)
          .text(`${stageTitles[stage]} users · ${date}`, theme.page.margin, theme.page.margin, { lineBreak: false });
        doc
          .font(theme.font.regular)
          .fontSize(8)
          .fillColor(theme.muted)
          .text(
            `continued · users ${i + 1}–${Math.min(users.length, i + nextRows)} of ${formatCount(users.length)}`,
            theme.page.margin,
            theme.page.margin + 12,
            {
              lineBreak: false,
            },
          );
        top = drawTableHeader(doc, NEXT_TABLE_TOP);
        onPage = 0;
        capacity = nextRows;
      }
      drawUserRow(doc, user, top + onPage * ROW_HEIGHT, onPage % 2 === 1, formatInstant);
      onPage++;
    });
    footer();
    doc.end();
    await done;
    return new Uint8Array(Buffer.concat(chunks));
  }
}

const drawFirstPage = (doc: PDFKit.PDFDocument, report: FunnelReport, s: StageReport): void => {
  const { date, timeZone, asOf, windowDays, newSignups } = report.recorded;
  const color = stageColors[s.stage];
  const left = theme.page.margin;

  // title band
  doc.rect(0, 0, theme.page.width, 6).fill(color);
  doc.font(theme.font.bold).fontSize(8).fillColor(color).text('JOURNEY · DAILY FUNNEL REPORT', left, 36, {
    characterSpacing: 1.2,
    lineBreak: false,
  });
  doc.font(theme.font.bold).fontSize(26).fillColor(theme.ink).text(`${stageTitles[s.stage]} users`, left, 52);
  doc
    .font(theme.font.regular)
    .fontSize(11)
    .fillColor(theme.neutral)
    .text(`${longDate(date)} · ${date} (${timeZone})`, left, 86);
  doc.fontSize(8).fillColor(theme.muted).text(`As of ${asOf}, the end of the day in ${timeZone}.`, left, 102);

  // definition
  doc.rect(left, 122, 3, 28).fill(color);
  doc
    .font(theme.font.regular)
    .fontSize(9.5)
    .fillColor(theme.ink)
    .text(stageDefinitionOf(s.stage, windowDays), left + 12, 126, { width: tableWidth - 12 });

  // key figures
  const change = s.count - s.previousCount;
  const meaning = growthMeaning[s.stage];
  const changeColor =
    change === 0 || meaning === 'neutral'
      ? theme.neutral
      : change > 0 === (meaning === 'good')
        ? theme.good
        : theme.bad;
  const cards: [string, string, string, string][] = [
    ['Users in stage', formatCount(s.count), `at the end of ${shortDate(date)}`, theme.ink],
    [
      'Change vs day before',
      `${change > 0 ? '+' : change < 0 ? '–' : '±'}${formatCount(Math.abs(change))}`,
      `${formatCount(s.previousCount)} at the end of ${shortDate(addDays(date, -1))}`,
      changeColor,
    ],
    ['New sign-ups that day', formatCount(newSignups), 'all stages', theme.ink],
    ['Activity window', `${windowDays} days`, 'what counts as recent', theme.ink],
  ];
  const cardWidth = (tableWidth - 3 * 10) / 4;
  cards.forEach(([label, value, note, valueColor], i) => {
    const x = left + i * (cardWidth + 10);
    doc.roundedRect(x, 166, cardWidth, 64, 5).lineWidth(0.6).strokeColor(theme.rule).stroke();
    doc
      .font(theme.font.regular)
      .fontSize(7.5)
      .fillColor(theme.muted)
      .text(label.toUpperCase(), x + 10, 175, { width: cardWidth - 20, lineBreak: false, characterSpacing: 0.3 });
    doc
      .font(theme.font.bold)
      .fontSize(20)
      .fillColor(valueColor)
      .text(value, x + 10, 188, { width: cardWidth - 20, lineBreak: false });
    doc
      .font(theme.font.regular)
      .fontSize(7)
      .fillColor(theme.faint)
      .text(note, x + 10, 214, { width: cardWidth - 20, lineBreak: false });
  });

  // trend
  doc
    .font(theme.font.bold)
    .fontSize(10)
    .fillColor(theme.ink)
    .text(`${s.trend.length}-day trend`, left, 248, { lineBreak: false });
  doc
    .font(theme.font.regular)
    .fontSize(8)
    .fillColor(theme.muted)
    .text('users in the stage at the end of each day', left + 80, 250, { lineBreak: false });
  drawTrendChart(doc, s.trend, { x: left, y: 266, width: tableWidth, height: 150 }, color);

  doc.font(theme.font.bold).fontSize(10).fillColor(theme.ink).text('Users', left, 432, { lineBreak: false });
  doc
    .font(theme.font.regular)
    .fontSize(8)
    .fillColor(theme.muted)
    .text(`${formatCount(s.count)} · newest sign-up first · times in ${timeZone}`, left + 34, 434, {
      lineBreak: false,
    });
};
