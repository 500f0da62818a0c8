import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../testing/freePort.ts';
import { waitUntil } from '../../testing/waitUntil.ts';

const bin = join(import.meta.dirname, '../../bin/journey.js');
const WRITE_KEY = 'wk_pretty_s3cret_4e5f6a7b8c';
const API_TOKEN = 'jt_pretty_s3cret_1a2b3c4d5e6f7a8b';
/** generous: a liveness bound for a Journey start on a loaded machine, not a performance assertion */
const PATIENCE_MS = 180_000;
/** a pino-pretty line: `[HH:MM:ss.mmm] LEVEL (logger name): message` */
const PRETTY_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL) \(journey[\w-]*\): /;

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// biome-ignore lint/suspicious/noControlCharactersInRegex: colours a terminal gets
const withoutColours = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '').replace(/\r/g, '');

const isJson = (line: string): boolean => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

/** `journey start` (through `command` when given) until its banner is out; `output` keeps growing */
const startJourney = async (env: Record<string, string>, command?: (argv: string[]) => string[]) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'journey-logs-'));
  const port = await freePort();
  const argv = [process.execPath, bin, 'start'];
  const [file = '', ...args] = command ? command(argv) : argv;
  const child = spawn(file, args, {
    env: {
      ...process.env,
      PORT: String(port),
      JOURNEY_DATA_DIR: dataDir,
      JOURNEY_WRITE_KEYS: `web:${WRITE_KEY}`,
      JOURNEY_API_TOKEN: API_TOKEN,
      LOG_LEVEL: 'debug',
      ...env,
    },
    detached: true,
  });
  const run = { child, dataDir, url: `http://127.0.0.1:${port}`, output: '' };
  await new Promise<void>((resolve, reject) => {
    const collect = (chunk: Buffer) => {
      run.output += chunk.toString();
      if (run.output.includes('Try it:')) resolve();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code) => reject(new Error(`journey exited with ${code}: ${run.output}`)));
  });
  return run;
};

type Run = Awaited<ReturnType<typeof startJourney>>;

const stop = async (run: Run) => {
  if (run.child.exitCode === null && run.child.signalCode === null) {
    await new Promise<void>((resolve) => {
      run.child.removeAllListeners('exit');
      run.child.once('exit', () => resolve());
      // the whole group: under `script` Journey is a grandchild (which the closing terminal hangs up)
      if (run.child.pid !== undefined) process.kill(-run.child.pid, 'SIGTERM');
    });
  }
  await rm(run.dataDir, { recursive: true, force: true });
};

const logLines = (output: string) =>
  withoutColours(output)
    .split('\n')
    .filter((line) => line.startsWith('[') || line.startsWith('{'));

describe('journey start logs for people on a terminal and JSON for machines', () => {
  let running: Run | undefined;
  afterEach(async () => {
    if (running) await stop(running);
    running = undefined;
  });

  it(
    'LOG_FORMAT=pretty: readable lines, not JSON, from the main thread and the worker threads, secrets still redacted',
    async () => {
      running = await startJourney({ LOG_FORMAT: 'pretty' });
      const sent = await fetch(`${running.url}/v1/track`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
        },
        body: JSON.stringify({ userId: 'ada', event: 'Signed Up' }),
      });
      expect(sent.status).toBe(200);
      const lines = logLines(running.output);
      expect(lines.find((line) => line.includes('journey started'))).toMatch(PRETTY_LINE);
      // the reporter says this from its worker thread
      expect(lines.find((line) => line.includes('the reporter runs in its worker thread'))).toMatch(PRETTY_LINE);
      expect(lines.filter(isJson)).toEqual([]);
      expect(lines.every((line) => PRETTY_LINE.test(line))).toBe(true);
      // not coloured: stdout is a pipe here
      expect(running.output).not.toContain('\u001b[');
      await stop(running);
      const output = running.output;
      running = undefined;
      expect(output).toContain('incoming request');
      for (const secret of [WRITE_KEY, API_TOKEN, Buffer.from(`${WRITE_KEY}:`).toString('base64')])
        expect(output.includes(secret), `the log holds ${secret}`).toBe(false);
    },
    PATIENCE_MS,
  );

  it(
    'stdout not a terminal and LOG_FORMAT unset: JSON lines',
    async () => {
      const started = await startJourney({});
      running = started;
      // the banner can come out before the log line that says so
      await waitUntil('the "journey started" log line', () => started.output.includes('journey started'));
      const lines = logLines(started.output);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.every(isJson)).toBe(true);
      expect(JSON.parse(lines.find((line) => line.includes('journey started')) ?? '{}')).toMatchObject({
        msg: 'journey started',
        name: 'journey',
      });
    },
    PATIENCE_MS,
  );

  it.skipIf(!hasScript)(
    'stdout a terminal (a pseudo-terminal from `script`): readable lines; LOG_FORMAT=json there: JSON',
    async () => {
      const underTerminal = (argv: string[]) => ['script', '-qfec', argv.join(' '), '/dev/null'];
      running = await startJourney({}, underTerminal);
      const pretty = logLines(running.output);
      expect(pretty.find((line) => line.includes('journey started'))).toMatch(PRETTY_LINE);
      expect(pretty.filter(isJson)).toEqual([]);
      await stop(running);

      running = await startJourney({ LOG_FORMAT: 'json' }, underTerminal);
      const json = logLines(running.output);
      expect(json.length).toBeGreaterThan(0);
      expect(json.every(isJson)).toBe(true);
    },
    PATIENCE_MS,
  );
});
