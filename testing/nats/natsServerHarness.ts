import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { freePort } from '../freePort.ts';
import { tempDataDir } from '../tempDataDir.ts';
import { assertNatsServerInstalled, exited, launchNatsServer } from './natsServerProcess.ts';

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

/**
 * Test support: a private JetStream server per caller, so tests never touch a shared one
 * (such as a developer's on 4222). Its store lives in a temp dir that survives `kill` and
 * `restart`, which is what restart and outage tests need.
 */
export const startNatsServer = async (options: NatsServerOptions = {}): Promise<NatsServerHarness> => {
  assertNatsServerInstalled();
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

  const launch = async (): Promise<void> => {
    const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...configArgs];
    child = (await launchNatsServer(args, port)).child;
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
