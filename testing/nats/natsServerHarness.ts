import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { freePort } from '../freePort.ts';
import { sleep } from '../sleep.ts';
import { tempDataDir } from '../tempDataDir.ts';

export type NatsServerHarness = {
  readonly url: string;
  /** kills the server and removes its store */
  stop(): Promise<void>;
  /** kills the server only, keeping the port and the store, as a crash would */
  kill(): Promise<void>;
  /** starts it again on the same port and store (after `kill`, or restarts a running one) */
  restart(): Promise<void>;
};

export type NatsServerOptions = {
  /** a nats-server config file's text (authorization, tls, …); the flags still set port, store and -js */
  readonly config?: string;
};

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1');
  });

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

const assertInstalled = (): void => {
  const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(
      'nats-server is not on PATH, and the NATS tests need a real one: apt-get install -y nats-server (or put nats-server v2.9+ on PATH)',
    );
};

/**
 * Test support: a private JetStream server per caller, so tests never touch a shared one
 * (such as a developer's on 4222). Its store lives in a temp dir that survives `kill` and
 * `restart`, which is what restart and outage tests need.
 */
export const startNatsServer = async (options: NatsServerOptions = {}): Promise<NatsServerHarness> => {
  assertInstalled();
  const port = await freePort();
  const store = await tempDataDir('nats');
  const storeDir = store.dir;
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    const file = store.file('server.conf');
    await writeFile(file, options.config);
    configArgs.push('-c', file);
  }
  let child: ChildProcess | undefined;
  let log = '';

  const launch = async (): Promise<void> => {
    log = '';
    const started = spawn(
      'nats-server',
      ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...configArgs],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    started.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (started.exitCode !== null || Date.now() > deadline)
        throw new Error(`nats-server on port ${port} did not start:\n${log.slice(-2_000)}`);
      await sleep(25);
    }
  };

  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running) return;
    running.kill('SIGKILL');
    await exited(running);
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    kill,
    restart: async () => {
      await kill();
      await launch();
    },
    stop: async () => {
      await kill();
      await store.remove();
    },
  };
};
