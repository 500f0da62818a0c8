import type { Stage } from '../../domain/stage/stage.ts';

/** Colours, sizes and formats shared by the report's PDF parts. */
export const theme = {
  ink: '#111827',
  muted: '#6B7280',
  faint: '#9CA3AF',
  rule: '#E5E7EB',
  zebra: '#F9FAFB',
  headerFill: '#F3F4F6',
  good: '#059669',
  bad: '#DC2626',
  neutral: '#4B5563',
  page: { size: 'A4' as const, margin: 40, width: 595.28, height: 841.89 },
  font: { regular: 'Helvetica', bold: 'Helvetica-Bold' },
};

export const stageColors: Record<Stage, string> = {
  signedUp: '#6366F1',
  activated: '#0EA5E9',
  active: '#10B981',
  inactive: '#F59E0B',
};

/** whether more users in the stage is good news, bad news or neither */
export const growthMeaning: Record<Stage, 'good' | 'bad' | 'neutral'> = {
  signedUp: 'neutral',
  activated: 'good',
  active: 'good',
  inactive: 'bad',
};

export { zonedDateTimeFormatter as dateTimeFormatter } from '../../domain/report/zonedDay.ts';

/** `Tuesday, 10 March 2026` of a YYYY-MM-DD day */
export const longDate = (day: string): string =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(Date.parse(`${day}T00:00:00Z`));

/** `10 Mar` of a YYYY-MM-DD day */
export const shortDate = (day: string): string =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(
    Date.parse(`${day}T00:00:00Z`),
  );

export const formatCount = (n: number): string => n.toLocaleString('en-US');
