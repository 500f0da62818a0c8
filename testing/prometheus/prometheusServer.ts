import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { freePort } from '../freePort.ts';
import { tempDataDir } from '../tempDataDir.ts';
import { waitUntil } from '../waitUntil.ts';
import { prometheusBinary } from './promtool.ts';

export type ScrapeTarget = { readonly app: string; readonly address: string };

/** one series of an instant query: its labels and its value */
export type Sample = { readonly metric: Record<string, string>; readonly value: number };

export type ActiveTarget = {
  readonly labels: Record<string, string>;
  readonly health: 'up' | 'down' | 'unknown';
  readonly lastError: string;
};

export type PrometheusServer = {
  readonly url: string;
  /** an instant query through the HTTP API; throws with Prometheus's error for a bad expression */
  query(expr: string): Promise<Sample[]>;
  /** what /api/v1/targets says of each active target */
  targets(): Promise<ActiveTarget[]>;
  /** what it printed, for a failure message */
  log(): string;
  /** stops it and removes its store */
  stop(): Promise<void>;
};

type ApiAnswer<T> = { status: 'success' | 'error'; data: T; error?: string };

const api = async <T>(url: string): Promise<T> => {
  const answer = (await (await fetch(url)).json()) as ApiAnswer<T>;
  if (answer.status !== 'success') throw new Error(`Prometheus answered ${url}: ${answer.error}`);
  return answer.data;
};

/**
 * Test support: a real Prometheus (Debian's /usr/bin/prometheus) on a free loopback port with a
 * store of its own, scraping `targets` every `intervalSeconds` in job `journey`, each labelled
 * with its app as deploy/prometheus/prometheus.yml labels them.
 */
export const startPrometheus = async (
  targets: readonly ScrapeTarget[],
  intervalSeconds = 1,
): Promise<PrometheusServer> => {
  const binary = prometheusBinary('prometheus');
  const store = await tempDataDir('prometheus');
  const port = await freePort();
  const config = store.file('prometheus.yml');
  const apps = [...new Set(targets.map((t) => t.app))];
  await writeFile(
    config,
    stringify({
      global: { scrape_interval: `${intervalSeconds}s`, scrape_timeout: `${intervalSeconds}s` },
      scrape_configs: [
        {
          job_name: 'journey',
          static_configs: apps.map((app) => ({
            targets: targets.filter((t) => t.app === app).map((t) => t.address),
            labels: { app },
          })),
        },
      ],
    }),
  );
  let out = '';
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${config}`, `--storage.tsdb.path=${store.dir}/data`, `--web.listen-address=127.0.0.1:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
    await store.remove();
  };
  try {
    await waitUntil(
      'prometheus to answer /-/ready',
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited (${child.exitCode}):\n${out}`);
        return fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        );
      },
      { timeoutMs: 30_000, intervalMs: 100, lastSeen: () => out.slice(-2_000) },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    query: async (expr) => {
      const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    targets: async () => (await api<{ activeTargets: ActiveTarget[] }>(`${url}/api/v1/targets`)).activeTargets,
    log: () => out,
    stop,
  };
};
