import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { Socket } from 'node:net';
import { sleep } from '../sleep.ts';

export const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });

export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

export const assertNatsServerInstalled = (): void => {
  const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(
      'nats-server is not on PATH, and the NATS tests need a real one: apt-get install -y nats-server (or put nats-server v2.9+ on PATH)',
    );
};

export type NatsServerProcess = { readonly child: ChildProcess; log(): string };

/** Test support: spawns nats-server with `args` and waits until it accepts clients on `port`. */
export const launchNatsServer = async (args: readonly string[], port: number): Promise<NatsServerProcess> => {
  let log = '';
  const child = spawn('nats-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    // the tail is what explains a failure; a long run must not grow it without bound
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nats-server on port ${port} did not start:\n${log.slice(-2_000)}`);
    }
    await sleep(25);
  }
  return { child, log: () => log };
};
