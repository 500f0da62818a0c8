import { readFileSync } from 'node:fs';
import { diskUsageMb, openFds, processRss, processTree } from './procStats.ts';
import { httpRequest } from './soakHttp.ts';
import type { SoakSample } from './soakSample.ts';

const MB = 1024 * 1024;

const commandLine = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

/** the bench's own descendants that run `journey start`, and the nats-server, if any (none while restarting) */
export const findProcesses = (): { readonly journey?: number; readonly nats?: number } => {
  const mine = processTree(process.pid).slice(1);
  const journey = mine.find((pid) => /bin\/journey\.js start/.test(commandLine(pid)));
  const nats = mine.find((pid) => processRss(pid)?.name === 'nats-server');
  return { ...(journey === undefined ? {} : { journey }), ...(nats === undefined ? {} : { nats }) };
};

/** the -sd directory of a nats-server, from its command line */
export const natsStoreDir = (pid: number): string | undefined => /-sd (\S+)/.exec(commandLine(pid))?.[1];

/** samples of one metric, by the value of one label (`thread`), or the unlabelled sample as '' */
export const metricValues = (text: string, name: string): Map<string, number> => {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const label = /^\{[^=]+="([^"]*)"/.exec(rest)?.[1] ?? '';
    values.set(label, Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return values;
};

/** what the soak keeps between samples: the window's probes and alerts */
export type SampleWindow = { readonly lagMs: number | undefined; readonly alertMs: number[]; readonly acked: number };

/** One sample: /proc for the processes, /metrics for threads and the event loop, du for the disks. */
export const takeSample = async (
  atS: number,
  journeyUrl: string,
  dataDir: string,
  window: SampleWindow,
  seconds: number,
): Promise<SoakSample> => {
  const { journey, nats } = findProcesses();
  const processRssMb: Record<string, number> = {};
  let treeRssMb = 0;
  if (journey !== undefined)
    for (const pid of processTree(journey)) {
      const p = processRss(pid);
      if (!p) continue;
      const name = pid === journey ? 'journey' : p.name;
      processRssMb[name] = (processRssMb[name] ?? 0) + p.rssMb;
      treeRssMb += p.rssMb;
    }
  if (nats !== undefined) processRssMb['nats-server'] = processRss(nats)?.rssMb ?? 0;
  const threadHeapMb: Record<string, number> = {};
  let loopDelayP99Ms: number | undefined;
  if (journey !== undefined) {
    try {
      const { body } = await httpRequest(`${journeyUrl}/metrics`, { timeoutMs: 3_000 });
      for (const [thread, bytes] of metricValues(body, 'journey_thread_heap_used_bytes'))
        threadHeapMb[thread] = bytes / MB;
      const lag = metricValues(body, 'journey_nodejs_eventloop_lag_p99_seconds').get('');
      if (lag !== undefined) loopDelayP99Ms = lag * 1000;
    } catch {
      // restarting: the process figures are enough
    }
  }
  const sorted = [...window.alertMs].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  const natsDir = nats === undefined ? undefined : natsStoreDir(nats);
  return {
    atS,
    treeRssMb,
    processRssMb,
    threadHeapMb,
    fds: journey === undefined ? 0 : openFds(journey),
    loopDelayP99Ms,
    dataDirMb: await diskUsageMb(dataDir),
    natsStoreMb: natsDir === undefined ? undefined : await diskUsageMb(natsDir),
    lagMs: window.lagMs,
    alertP50Ms: sorted.length === 0 ? undefined : at(50),
    alertP99Ms: sorted.length === 0 ? undefined : at(99),
    ackedPerSecond: window.acked / seconds,
    journeyUp: journey !== undefined && treeRssMb > 0,
  };
};
