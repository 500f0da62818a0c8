import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '../../bin/journey.js');
const TAIL_CHARS = 128_000;

export type JourneyProcess = {
  readonly name: string;
  /** how many times it was started */
  readonly starts: number;
  readonly running: boolean;
  /** the OS process id while it runs */
  readonly pid: number | undefined;
  /** resolves once the process printed its ready marker (again, after a restart) */
  start(): Promise<void>;
  /** SIGKILL, as a crash or the OOM killer would; resolves once it is gone */
  kill(): Promise<void>;
  /** SIGTERM and wait: the graceful stop; resolves with the exit code */
  stop(): Promise<number | null>;
  /** resolves with the exit code once the process has exited on its own (rejects after timeoutMs) */
  exitCode(timeoutMs: number): Promise<number | null>;
  /** the end of what it printed since its last start (stdout and stderr) */
  output(): string;
  /** exits the test did not cause, with the output before each */
  readonly unexpectedExits: readonly string[];
};

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));

export type JourneyProcessOptions = {
  readonly readyTimeoutMs?: number;
  /** what in its output says it is up; default the "journey started" log line (LOG_LEVEL info or lower) */
  readonly readyWhen?: string;
  /** how much of its output `output()` keeps; default the last 128 000 characters */
  readonly outputChars?: number;
  /** a file-size limit (`ulimit -f`, KiB) for the next start, or none */
  readonly fileSizeLimitKiB?: () => number | undefined;
};

/**
 * Test support: one Journey app (`node bin/journey.js <app>`) as its own OS process, started
 * with `env` on top of this process's environment, which specs start, kill -9 and restart.
 * `args` is the CLI command, e.g. ['mapper'] or ['start'].
 */
export const journeyProcess = (
  name: string,
  args: readonly string[],
  env: () => Record<string, string>,
  options: JourneyProcessOptions = {},
): JourneyProcess => {
  const readyWhen = options.readyWhen ?? '"msg":"journey started"';
  const outputChars = options.outputChars ?? TAIL_CHARS;
  let child: ChildProcess | undefined;
  let out = '';
  let starts = 0;
  let lastExit: Promise<number | null> = Promise.resolve(null);
  const unexpectedExits: string[] = [];
  const expectedExit = new WeakSet<ChildProcess>();

  const start = async (): Promise<void> => {
    if (child) throw new Error(`${name} is already running`);
    out = '';
    starts++;
    const limit = options.fileSizeLimitKiB?.();
    const command =
      limit === undefined
        ? [process.execPath, bin, ...args]
        : ['bash', '-c', `ulimit -f ${limit} && exec "$0" "$@"`, process.execPath, bin, ...args];
    const started = spawn(command[0] ?? '', command.slice(1), {
      env: { ...process.env, ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    lastExit = new Promise((resolve) => started.once('exit', (code) => resolve(code)));
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} did not start in ${options.readyTimeoutMs ?? 180_000} ms:\n${out}`)),
        options.readyTimeoutMs ?? 180_000,
      );
      const onData = (chunk: Buffer) => {
        out = (out + chunk.toString()).slice(-outputChars);
        if (out.includes(readyWhen)) {
          clearTimeout(timer);
          resolve();
        }
      };
      started.stdout?.on('data', onData);
      started.stderr?.on('data', onData);
      started.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (child === started) child = undefined;
        if (!expectedExit.has(started)) {
          unexpectedExits.push(`${name} exited (code ${code}, signal ${signal}):\n${out}`);
          reject(new Error(`${name} exited while starting (code ${code}, signal ${signal}):\n${out}`));
        }
      });
    });
    await ready;
  };

  const end = async (signal: NodeJS.Signals): Promise<number | null> => {
    const running = child;
    if (!running) return null;
    expectedExit.add(running);
    child = undefined;
    running.kill(signal);
    return exited(running);
  };

  return {
    name,
    get starts() {
      return starts;
    },
    get running() {
      return child !== undefined;
    },
    get pid() {
      return child?.pid;
    },
    start,
    kill: async () => {
      await end('SIGKILL');
    },
    stop: () => end('SIGTERM'),
    exitCode: (timeoutMs) =>
      Promise.race([
        lastExit,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`${name} did not exit in ${timeoutMs} ms:\n${out}`)), timeoutMs).unref(),
        ),
      ]),
    output: () => out,
    unexpectedExits,
  };
};
