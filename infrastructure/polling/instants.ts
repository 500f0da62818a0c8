import { ValidationError } from '../../domain/errors/journeyError.ts';

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Read models store instants as `Date.prototype.toISOString` text, because that form sorts
 * lexicographically in time order and SQLite compares text. Anything else (an offset, no
 * milliseconds) would compare wrongly, so it is converted on the way in.
 */
export const canonicalInstant = (instant: string, what: string): string => {
  if (CANONICAL.test(instant)) return instant;
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new ValidationError(`${what} must be an ISO-8601 instant, got "${instant}"`);
  return new Date(ms).toISOString();
};

/** the UTC day of a canonical instant, `YYYY-MM-DD` */
export const utcDayOf = (canonical: string): string => canonical.slice(0, 10);
