import { spawn } from 'node:child_process';
import { join } from 'node:path';

export type JourneyChild = {
  readonly url: string;
  readonly pid: number;
  /** false once the process has ended, for whatever reason */
  running(): boolean;
  stop(): Promise<void>;
  /** SIGKILL, as a crash would: no shutdown, nothing flushed; resolves once it is gone */
  kill(): Promise<void>;
};

/**
 * `journey start` in a child process of its own, so the load generator shares none of its
 * threads; resolves once it prints its banner. `env` is added to this process's environment.
 */
export const startJourneyChild = async (
  env: Record<string, string>,
  execArgv: readonly string[] = [],
  /** a port of its own choosing, e.g. the one a killed Journey had; random when unset */
  port = 20_000 + Math.floor(Math.random() * 20_000),
): Promise<JourneyChild> => {
  const child = spawn(process.execPath, [...execArgv, join(import.meta.dirname, '../bin/journey.js'), 'start'], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      // the tail explains a failed start; a long run's log lines must not pile up here
      out = (out + chunk.toString()).slice(-20_000);
      if (out.includes('Try it:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`journey exited with ${code}: ${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    running: () => child.exitCode === null && child.signalCode === null,
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
    // SIGKILL when a shutdown hangs (an overloaded machine): a bench must never leave Journey running
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.removeAllListeners('exit');
        const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
};
