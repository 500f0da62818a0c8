/** The slice of a structured logger (pino's shape) that use cases need. */
export interface Logger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export const LoggerToken = Symbol.for('journey.Logger');
