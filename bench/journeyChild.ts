import { spawn } from 'node:child_process';
import { join } from 'node:path';

export type JourneyChild = { readonly url: string; stop(): Promise<void> };

/**
 * `journey start` in a child process of its own, so the load generator shares none of its
 * threads; resolves once it prints its banner. `env` is added to this process's environment.
 */
export const startJourneyChild = async (
  env: Record<string, string>,
  execArgv: readonly string[] = [],
): Promise<JourneyChild> => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, [...execArgv, join(import.meta.dirname, '../bin/journey.js'), 'start'], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Try it:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`journey exited with ${code}: ${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
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
