import { type DestinationStream, pino } from 'pino';
import pinoPretty, { type PrettyOptions } from 'pino-pretty';
import { type LogFormat, logFormatOf, stdoutIsTerminal } from './logFormat.ts';

export type LoggingSettings = { readonly LOG_LEVEL: string; readonly LOG_FORMAT?: LogFormat | undefined };

// pino-pretty: the formatter kept by pino's own authors; synchronous and in this thread, so lines
// stay in order with the banner and no transport thread starts per worker
const prettyStream = (terminal: boolean): DestinationStream =>
  pinoPretty({
    sync: true,
    colorize: terminal && process.env.NO_COLOR === undefined,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
  } satisfies PrettyOptions);

/**
 * Logs on stdout: readable lines on a terminal, JSON lines otherwise (logFormat.ts). Secrets
 * never reach them: authorization headers, write keys and tokens are redacted wherever they
 * appear in a logged object, before either format sees it.
 */
export const createLogger = (settings: LoggingSettings, name = 'journey') => {
  const terminal = stdoutIsTerminal();
  const options = {
    name,
    level: settings.LOG_LEVEL,
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
  };
  return logFormatOf(settings.LOG_FORMAT, terminal) === 'pretty'
    ? pino(options, prettyStream(terminal))
    : pino(options);
};

export type JourneyLogger = ReturnType<typeof createLogger>;
