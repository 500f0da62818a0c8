import { type FunnelFigures, REPORT_SESSION_DAYS, type StageFigures } from '../../application/ports/funnelReport.ts';
import { stageDefinitionOf, stageTitles } from '../../domain/report/stageDefinitions.ts';
import { addDays } from '../../domain/report/zonedDay.ts';
import { formatCount, growthMeaning, longDate, shortDate, stageColors, theme } from './pdfTheme.ts';
import { drawTrendChart } from './trendChart.ts';
import { tableWidth } from './usersTable.ts';

/**
 * The first page above the users table: title band, the stage's definition, key figures (count,
 * change from the day before, new sign-ups, window) and the trend drawn as vectors.
 */
export const drawFirstPage = (doc: PDFKit.PDFDocument, figures: FunnelFigures, s: StageFigures): void => {
  const { date, timeZone, asOf, windowDays, newSignups } = figures.recorded;
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
    .text(
      `${formatCount(s.count)} · newest sign-up first · times in ${timeZone} · sessions: started in the ${REPORT_SESSION_DAYS} days up to as-of, total time`,
      left + 34,
      434,
      { lineBreak: false },
    );
};
