import { execFile, spawnSync } from 'node:child_process';
import { chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../freePort.ts';

const run = promisify(execFile);

export type PostgresServer = {
  /** a superuser connection to the `journey` database on 127.0.0.1 */
  readonly url: string;
  readonly port: number;
  /** stops the server and removes its data directory */
  stop(): Promise<void>;
  /** stops it as a crash would (`pg_ctl stop -m immediate`), keeping port and data */
  kill(): Promise<void>;
  /** starts it again on the same port and data (after `kill`, or restarts a running one) */
  restart(): Promise<void>;
};

export type PostgresServerOptions = {
  /** fsync and synchronous_commit on, for benches; tests run without them */
  readonly durable?: boolean;
  /** the `journey` user's password, checked over TCP (scram-sha-256); unset: trust */
  readonly password?: string;
  /** more `-c name=value` server settings, e.g. `shared_preload_libraries=pg_stat_statements` */
  readonly settings?: readonly string[];
};

const installHint = 'apt-get install -y postgresql (or set JOURNEY_PG_BIN to the folder holding initdb and pg_ctl)';

/** Debian keeps the server binaries off PATH, one folder per major version: take the newest. */
const binDir = async (): Promise<string> => {
  const given = process.env.JOURNEY_PG_BIN;
  if (given) return given;
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  const newest = versions
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .find((v) => spawnSync(join('/usr/lib/postgresql', v, 'bin', 'initdb'), ['--version']).status === 0);
  if (!newest)
    throw new Error(`PostgreSQL's initdb was not found, and the PostgreSQL tests need a real server: ${installHint}`);
  return join('/usr/lib/postgresql', newest, 'bin');
};

/** PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user. */
const asServerUser = async (): Promise<{ prefix: string[]; uid?: number; gid?: number }> => {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const probe = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gidProbe = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (probe.status !== 0)
    throw new Error(
      `running as root, the PostgreSQL tests need the user "postgres" to run the server as: ${installHint}`,
    );
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid: Number(probe.stdout), gid: Number(gidProbe.stdout) };
};

/**
 * Test support: a private PostgreSQL server per caller (initdb into a temp dir, pg_ctl on a
 * free port), so tests never touch a shared one on 5432 and can crash and restart theirs.
 */
export const startPostgresServer = async (options: PostgresServerOptions = {}): Promise<PostgresServer> => {
  const bin = await binDir();
  const user = await asServerUser();
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'journey-pg-'));
  if (user.uid !== undefined && user.gid !== undefined) await chown(dir, user.uid, user.gid);
  const dataDir = join(dir, 'data');
  const tool = async (name: string, args: readonly string[]): Promise<string> => {
    const [command, ...rest] = [...user.prefix, join(bin, name), ...args];
    try {
      const { stdout } = await run(command as string, rest, { timeout: 60_000 });
      return stdout;
    } catch (error) {
      const { stderr, stdout } = error as { stderr?: string; stdout?: string };
      throw new Error(`${name} ${args.join(' ')} failed: ${stderr || stdout || String(error)}`);
    }
  };
  const settings = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ...(options.settings ?? []).map((setting) => `-c ${setting}`),
  ].join(' ');
  const start = (): Promise<string> =>
    tool('pg_ctl', ['-D', dataDir, '-l', join(dir, 'server.log'), '-o', settings, '-w', '-t', '30', 'start']);

  const auth = ['--auth=trust'];
  if (options.password !== undefined) {
    const pwfile = join(dir, 'password');
    await writeFile(pwfile, `${options.password}\n`);
    if (user.uid !== undefined && user.gid !== undefined) await chown(pwfile, user.uid, user.gid);
    auth.splice(0, 1, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`);
  }
  await tool('initdb', ['-D', dataDir, '-U', 'journey', ...auth, '-E', 'UTF8', '--no-sync', '--locale=C']);
  await start();
  // over the socket, where trust applies whatever the password
  await tool('createdb', ['-h', dir, '-p', String(port), '-U', 'journey', 'journey']);

  const kill = async (): Promise<void> => {
    await tool('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
  };
  return {
    url: `postgres://journey${options.password === undefined ? '' : `:${encodeURIComponent(options.password)}`}@127.0.0.1:${port}/journey`,
    port,
    kill,
    restart: async () => {
      await kill();
      await start();
    },
    stop: async () => {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
