import type { ReportUser } from '../../application/ports/funnelReport.ts';
import { sessionCountText, sessionTimeText } from '../../domain/report/sessionFigures.ts';
import { theme } from './pdfTheme.ts';

/**
 * The users of a stage as a table continued over pages. Rows have one fixed height, so the
 * page count is known before drawing ("Page 3 of 12" without buffering every page, which a
 * 100k-user stage could not afford) and no cell needs measuring.
 */
export const ROW_HEIGHT = 30;
const HEADER_HEIGHT = 20;
const EVENTS_SHOWN = 3;

// less 12 pt of padding, each header fits its column (LAST ACTIVITY is 59.7 pt wide, LATEST JOURNEY
// EVENTS 105.9) and the user column a 20-character id in bold (signedUp-user-001234 is 85.4)
const columns = [
  { title: 'User', width: 98 },
  { title: 'Email', width: 108 },
  { title: 'Signed up', width: 61 },
  { title: 'Last activity', width: 73 },
  { title: 'Sessions', width: 56 },
  { title: 'Latest journey events', width: 119.28 },
] as const;

export const tableWidth = columns.reduce((sum, c) => sum + c.width, 0);

/** how many rows fit between `top` and the footer */
export const rowsFitting = (top: number): number =>
  Math.max(1, Math.floor((theme.page.height - theme.page.margin - 24 - top - HEADER_HEIGHT) / ROW_HEIGHT));

/**
 * The most a kerning pair of the table's fonts widens a text, per point of size (Helvetica's widest
 * is 60/1000 em, Helvetica-Bold's 30/1000).
 */
const MAX_KERN_WIDENING = 0.06;
const charWidths = new Map<string, Map<string, number>>();

/**
 * A bound the text's width cannot pass: its characters' widths, each measured once per font and
 * size, plus the widest kerning between each pair. pdfkit measures a text pair by pair through
 * its font metrics, which was most of a row's cost; most cells are well inside the bound.
 */
const widthBound = (doc: PDFKit.PDFDocument, style: string, size: number, text: string): number => {
  let widths = charWidths.get(style);
  if (widths === undefined) {
    widths = new Map();
    charWidths.set(style, widths);
  }
  let sum = 0;
  for (const char of text) {
    let width = widths.get(char);
    if (width === undefined) {
      width = doc.widthOfString(char);
      widths.set(char, width);
    }
    sum += width;
  }
  return sum + Math.max(0, text.length - 1) * MAX_KERN_WIDENING * size;
};

/**
 * The text cut with an ellipsis to fit `width` at the current font (`style` names it and its size),
 * and a width it does not pass.
 */
const fitted = (
  doc: PDFKit.PDFDocument,
  style: string,
  size: number,
  text: string,
  width: number,
): { text: string; width: number } => {
  const bound = widthBound(doc, style, size, text);
  if (bound <= width) return { text, width: bound };
  const measured = doc.widthOfString(text);
  if (measured <= width) return { text, width: measured };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (doc.widthOfString(`${text.slice(0, mid)}…`) <= width) lo = mid;
    else hi = mid - 1;
  }
  return { text: `${text.slice(0, lo)}…`, width };
};

export const drawTableHeader = (doc: PDFKit.PDFDocument, top: number): number => {
  const left = theme.page.margin;
  doc.rect(left, top, tableWidth, HEADER_HEIGHT).fill(theme.headerFill);
  doc.font(theme.font.bold).fontSize(7.5).fillColor(theme.neutral);
  let x = left;
  for (const c of columns) {
    doc.text(c.title.toUpperCase(), x + 6, top + 7, { width: c.width - 12, lineBreak: false, characterSpacing: 0.3 });
    x += c.width;
  }
  return top + HEADER_HEIGHT;
};

export const drawUserRow = (
  doc: PDFKit.PDFDocument,
  user: ReportUser,
  top: number,
  zebra: boolean,
  formatInstant: (iso: string) => string,
): void => {
  const left = theme.page.margin;
  if (zebra) doc.rect(left, top, tableWidth, ROW_HEIGHT).fill(theme.zebra);
  doc
    .moveTo(left, top + ROW_HEIGHT)
    .lineTo(left + tableWidth, top + ROW_HEIGHT)
    .lineWidth(0.4)
    .strokeColor(theme.rule)
    .stroke();
  const cell = (i: number) => {
    let x = left;
    for (let c = 0; c < i; c++) x += columns[c]?.width ?? 0;
    return { x: x + 6, width: (columns[i]?.width ?? 0) - 12 };
  };
  // pdfkit writes a colour's operators at every call: set font, size and colour only when they change
  let current = '';
  let currentColor = '';
  const line = (i: number, text: string, y: number, font: string, size: number, color: string) => {
    const { x, width } = cell(i);
    const style = `${font}/${size}`;
    if (style !== current) {
      doc.font(font).fontSize(size);
      current = style;
    }
    if (color !== currentColor) {
      doc.fillColor(color);
      currentColor = color;
    }
    const cut = fitted(doc, style, size, text, width);
    // pdfkit measures a text once more for `textWidth`, which it needs only for links and underlines
    doc.text(cut.text, x, top + y, { lineBreak: false, textWidth: cut.width } as PDFKit.Mixins.TextOptions);
  };
  const split = (iso: string | null): string[] => (iso === null ? ['—', ''] : formatInstant(iso).split(' '));
  line(0, user.userId, 6, theme.font.bold, 8, theme.ink);
  line(1, user.email ?? '—', 6, theme.font.regular, 8, user.email ? theme.ink : theme.faint);
  if (user.name) line(1, user.name, 17, theme.font.regular, 7, theme.muted);
  const [signedDate = '', signedTime = ''] = split(user.signedUpAt);
  line(2, signedDate, 6, theme.font.regular, 8, theme.ink);
  line(2, signedTime, 17, theme.font.regular, 7, theme.muted);
  const [lastDate = '', lastTime = ''] = split(user.lastActivityAt);
  line(3, lastDate, 6, theme.font.regular, 8, user.lastActivityAt ? theme.ink : theme.faint);
  line(3, lastTime, 17, theme.font.regular, 7, theme.muted);
  const { sessions } = user;
  if (sessions === undefined) line(4, '—', 6, theme.font.regular, 8, theme.faint);
  else {
    const none = sessions.count === 0;
    line(4, sessionCountText(sessions.count), 6, theme.font.regular, 7.5, none ? theme.faint : theme.ink);
    line(4, none ? '—' : sessionTimeText(sessions.durationMs), 17, theme.font.regular, 7, theme.muted);
  }
  const events = user.latestEvents.slice(0, EVENTS_SHOWN);
  if (events.length === 0) line(5, 'none', 6, theme.font.regular, 7, theme.faint);
  events.forEach((e, i) => {
    const when = formatInstant(e.occurredAt).slice(5);
    line(5, `${e.type}  ${when}`, 4 + i * 8.2, theme.font.regular, 6.5, i === 0 ? theme.ink : theme.muted);
  });
};
