/**
 * An error that already knows its HTTP answer: thrown by routes and body parsers for the
 * cases the domain has no word for (bad credentials, unreadable bodies), turned into JSON by
 * `errorHandler`. `message` always says what the client should do.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly error: string;
  readonly headers: Readonly<Record<string, string>>;
  constructor(statusCode: number, error: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.error = error;
    this.headers = headers;
  }
}

export const isHttpError = (e: unknown): e is HttpError => e instanceof HttpError;
