import { formatCount, shortDate, theme } from './pdfTheme.ts';

type Box = { x: number; y: number; width: number; height: number };

/** a round axis maximum at or above `max`: 1, 2, 2.5 or 5 times a power of ten; small ones in fours so grid lines are whole counts */
const niceMax = (max: number): number => {
  if (max <= 20) return Math.max(4, Math.ceil(max / 4) * 4);
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
};

/**
 * The stage's count per day as a vector line chart: grid, y labels, an area under the line,
 * the line, and the last point marked with its value.
 */
export const drawTrendChart = (
  doc: PDFKit.PDFDocument,
  points: readonly { date: string; count: number }[],
  box: Box,
  color: string,
): void => {
  const labelWidth = 36;
  const plot = { x: box.x + labelWidth, y: box.y + 8, width: box.width - labelWidth - 12, height: box.height - 30 };
  const top = niceMax(Math.max(0, ...points.map((p) => p.count)));
  const xOf = (i: number) => plot.x + (points.length <= 1 ? plot.width : (i * plot.width) / (points.length - 1));
  const yOf = (count: number) => plot.y + plot.height - (count / top) * plot.height;

  doc.save();
  doc.font(theme.font.regular).fontSize(7).fillColor(theme.muted);
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    const y = yOf(value);
    doc
      .moveTo(plot.x, y)
      .lineTo(plot.x + plot.width, y)
      .lineWidth(0.5)
      .strokeColor(i === 0 ? theme.faint : theme.rule)
      .stroke();
    const label = formatCount(Math.round(value * 10) / 10);
    doc.text(label, box.x, y - 3.5, { width: labelWidth - 6, align: 'right', lineBreak: false });
  }
  points.forEach((p, i) => {
    if (i % 7 !== (points.length - 1) % 7) return;
    doc.text(shortDate(p.date), xOf(i) - 20, plot.y + plot.height + 6, {
      width: 40,
      align: 'center',
      lineBreak: false,
    });
  });

  if (points.length > 0) {
    const first = points[0] as { count: number };
    doc.moveTo(xOf(0), plot.y + plot.height).lineTo(xOf(0), yOf(first.count));
    points.forEach((p, i) => {
      doc.lineTo(xOf(i), yOf(p.count));
    });
    doc
      .lineTo(xOf(points.length - 1), plot.y + plot.height)
      .closePath()
      .fillOpacity(0.12)
      .fill(color);
    doc.fillOpacity(1);
    doc.moveTo(xOf(0), yOf(first.count));
    points.forEach((p, i) => {
      doc.lineTo(xOf(i), yOf(p.count));
    });
    doc.lineWidth(1.8).lineJoin('round').strokeColor(color).stroke();

    const lastIndex = points.length - 1;
    const last = points[lastIndex] as { count: number };
    doc.circle(xOf(lastIndex), yOf(last.count), 3.2).fillColor(color).fill();
    doc.circle(xOf(lastIndex), yOf(last.count), 1.4).fillColor('#FFFFFF').fill();
    doc
      .font(theme.font.bold)
      .fontSize(8)
      .fillColor(theme.ink)
      .text(formatCount(last.count), xOf(lastIndex) - 40, yOf(last.count) - 14, {
        width: 38,
        align: 'right',
        lineBreak: false,
      });
  }
  doc.restore();
};
