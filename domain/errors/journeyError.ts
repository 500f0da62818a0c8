/**
 * The error hierarchy every layer throws. Each error carries a stable `code` so that
 * guards work across module copies and process boundaries, where `instanceof` alone fails.
 */
export type JourneyErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'EXPECTED_REVISION_CONFLICT'
  | 'CONFIG'
  | 'UNAVAILABLE'
  | 'LEASE_LOST';

export class JourneyError extends Error {
  readonly code: JourneyErrorCode;
  constructor(code: JourneyErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export type ValidationIssue = { path: string; message: string };

export class ValidationError extends JourneyError {
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[] = []) {
    super('VALIDATION', message);
    this.issues = issues;
  }
}

export class NotFoundError extends JourneyError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class ExpectedRevisionConflictError extends JourneyError {
  readonly streamId: string;
  readonly expected: string;
  readonly actual: string;
  constructor(streamId: string, expected: string, actual: string) {
    super(
      'EXPECTED_REVISION_CONFLICT',
      `stream ${streamId}: expected revision ${expected} but it is at ${actual}; re-read the stream and retry`,
    );
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

export class ConfigError extends JourneyError {
  constructor(message: string) {
    super('CONFIG', message);
  }
}

export class UnavailableError extends JourneyError {
  /**
   * Set when the message is written for the API's client (it names no host or file) and says
   * when to retry; otherwise the HTTP answer gives a generic message and its own delay.
   */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super('UNAVAILABLE', message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

const hasCode = (e: unknown, code: JourneyErrorCode): boolean =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;

export const isJourneyError = (e: unknown): e is JourneyError =>
  e instanceof JourneyError ||
  (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && e instanceof Error);
export const isValidationError = (e: unknown): e is ValidationError => hasCode(e, 'VALIDATION');
export const isNotFoundError = (e: unknown): e is NotFoundError => hasCode(e, 'NOT_FOUND');
export const isExpectedRevisionConflictError = (e: unknown): e is ExpectedRevisionConflictError =>
  hasCode(e, 'EXPECTED_REVISION_CONFLICT');
export const isConfigError = (e: unknown): e is ConfigError => hasCode(e, 'CONFIG');
export const isUnavailableError = (e: unknown): e is UnavailableError => hasCode(e, 'UNAVAILABLE');
