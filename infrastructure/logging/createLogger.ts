import { pino } from 'pino';

/**
 * JSON logs on stdout (pino). Secrets never reach them: authorization headers, write keys
 * and tokens are redacted wherever they appear in a logged object.
 */
export const createLogger = (level: string, name = 'journey') =>
  pino({
    name,
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.writeKey',
        'writeKey',
        '*.apiToken',
        'apiToken',
        '*.token',
        'token',
      ],
      censor: '[redacted]',
    },
  });

export type JourneyLogger = ReturnType<typeof createLogger>;
