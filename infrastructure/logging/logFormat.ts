import { isatty } from 'node:tty';

export const logFormats = ['json', 'pretty'] as const;
export type LogFormat = (typeof logFormats)[number];

/**
 * Readable lines for a person at a terminal, JSON for anything else (a pipe, a file, a log
 * store); LOG_FORMAT decides when set.
 */
export const logFormatOf = (setting: LogFormat | undefined, stdoutIsTerminal: boolean): LogFormat =>
  setting ?? (stdoutIsTerminal ? 'pretty' : 'json');

/** fd 1 itself, not `process.stdout.isTTY`: a worker thread's process.stdout is never a TTY */
export const stdoutIsTerminal = (): boolean => isatty(1);
