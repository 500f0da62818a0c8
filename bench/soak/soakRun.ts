import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { freePort } from '../../testing/freePort.ts';
import { type NatsServerHarness, startNatsServer } from '../../testing/nats/natsServerHarness.ts';
import { startFakeSlackInThread } from '../fakeSlackInThread.ts';
import { type JourneyChild, startJourneyChild } from '../journeyChild.ts';
import { preloadStore } from './preloadStore.ts';
import { peakRssMb } from './procStats.ts';
import { auditSoakStore, type SoakAudit } from './soakAudit.ts';
import { httpRequest } from './soakHttp.ts';
import { type ProbeResult, SoakProbes } from './soakProbes.ts';
import type { SoakRestart, SoakSample } from './soakSample.ts';
import { metricValues, type SampleWindow, takeSample } from './soakSampler.ts';
import { type SenderStats, SoakSender } from './soakSender.ts';
import { SoakTraffic } from './soakTraffic.ts';

export type SoakMode = 'embedded' | 'nats';

export type SoakOptions = {
  readonly mode: SoakMode;
  readonly minutes: number;
  readonly rate: number;
  /** journey events written into the store before Journey starts */
  readonly preload: number;
  /** a preloaded events.db to copy instead of writing one (each mode of a run starts from the same) */
  readonly preloadedFile?: string;
  readonly sampleS: number;
  readonly log: (line: string) => void;
};

export type SoakRun = {
  readonly mode: SoakMode;
  readonly durationS: number;
  readonly rate: number;
  readonly preload: number;
  /** `journey start` to /readyz 200 on the preloaded store, and its peak RSS (VmHWM) meanwhile */
  readonly startup: { readonly readyS: number; readonly peakRssMb: number };
  readonly samples: readonly SoakSample[];
  readonly restart: SoakRestart | undefined;
  readonly sender: SenderStats & { readonly sentPerSecond: number };
  readonly probes: { readonly sent: number; readonly seen: number; readonly lags: readonly ProbeResult[] };
  readonly alerts: { readonly signUpsSent: number; readonly posted: number };
  /** `mapperDrained` false: the mapper still had a backlog when the audit ran */
  readonly audit: SoakAudit & { readonly mapperDrained: boolean };
};

const WRITE_KEY = 'wk_soak_0123456789';
const API_TOKEN = 'jt_soak_0123456789abcdef';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** polls /readyz every 50 ms until it answers 200; the ms since `from`, or undefined after `timeoutMs` */
const untilReady = async (
  url: string,
  from: number,
  timeoutMs: number,
  running: () => boolean = () => true,
): Promise<number | undefined> => {
  while (Date.now() - from < timeoutMs) {
    if (!running())
      throw new Error(`journey start ended while the soak waited for ${url}/readyz; see its output above`);
    try {
      if ((await httpRequest(`${url}/readyz`, { timeoutMs: 3_000 })).status === 200) return Date.now() - from;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return undefined;
};

/** waits until the mapper has taken every raw event (journey_mapper_lag_events 0), at most `ms` */
const drained = async (url: string, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      const { body } = await httpRequest(`${url}/metrics`, { timeoutMs: 5_000 });
      if (metricValues(body, 'journey_mapper_lag_events').get('mapper') === 0) return true;
    } catch {
      // busy: ask again
    }
    await sleep(500);
  }
  return false;
};

const storeHead = (dataDir: string): number => {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { head: number | null }>('SELECT max(position) AS head FROM events').get()?.head ?? 0;
  } finally {
    db.close();
  }
};

/**
 * One soak: `journey start` in a child process (embedded, or with NATS_URL to a private nats-server
 * -js) under the demo's mixed traffic at a steady rate for `minutes`, a sample every `sampleS`, a
 * SIGKILL and restart at half time, then the store audit.
 */
export const runSoak = async (options: SoakOptions): Promise<SoakRun> => {
  const { log, rate } = options;
  const durationS = options.minutes * 60;
  const runId = `soak${Date.now().toString(36)}`;
  const dataDir = await mkdtemp(join(tmpdir(), `journey-soak-${options.mode}-`));
  let nats: NatsServerHarness | undefined;
  let journey: JourneyChild | undefined;
  const sentAt = new Map<string, number>();
  let window: { lags: number[]; alertMs: number[] } = { lags: [], alertMs: [] };
  let signUpsSent = 0;
  const slack = await startFakeSlackInThread((key, at) => {
    const sent = sentAt.get(key);
    if (sent === undefined) return;
    sentAt.delete(key);
    window.alertMs.push(at - sent);
  });
  try {
    if (options.preloadedFile !== undefined) await copyFile(options.preloadedFile, join(dataDir, 'events.db'));
    else if (options.preload > 0) preloadStore(dataDir, options.preload, log);
    const preloaded = options.preload > 0 ? storeHead(dataDir) : 0;
    if (options.mode === 'nats') nats = await startNatsServer();
    const env = {
      JOURNEY_DATA_DIR: dataDir,
      JOURNEY_WRITE_KEYS: WRITE_KEY,
      JOURNEY_API_TOKEN: API_TOKEN,
      LOG_LEVEL: 'warn',
      SLACK_BOT_TOKEN: 'xoxb-soak',
      SLACK_API_URL: slack.apiUrl,
      ...(nats ? { NATS_URL: nats.url } : {}),
    };
    const port = await freePort();
    const started = Date.now();
    log(`${options.mode}: journey start on ${preloaded.toLocaleString('en-US')} stored events, data in ${dataDir}`);
    journey = await startJourneyChild(env, [], port);
    const url = journey.url;
    const first = journey;
    const readyMs = await untilReady(url, started, 20 * 60_000, () => first.running());
    if (readyMs === undefined) throw new Error('journey start was not ready (/readyz) within 20 minutes');
    const startup = { readyS: readyMs / 1000, peakRssMb: peakRssMb(journey.pid) };
    log(
      `${options.mode}: ready in ${startup.readyS.toFixed(1)} s (peak RSS ${startup.peakRssMb.toFixed(0)} MB); ${rate}/s for ${options.minutes} min`,
    );

    const traffic = new SoakTraffic(runId);
    const sender = new SoakSender(url, WRITE_KEY, traffic, rate, (key, at) => {
      signUpsSent++;
      if (!sentAt.has(key)) sentAt.set(key, at);
    });
    const probes = new SoakProbes(url, API_TOKEN, runId, sender);
    const soakStart = Date.now();
    const sending = sender.run();
    const probing = probes.run();
    const samples: SoakSample[] = [];
    let restart: SoakRestart | undefined;
    let lastAcked = 0;
    let probesSeen = 0;
    const sampleNow = async () => {
      const lags = probes.results.slice(probesSeen).map((p) => p.lagMs);
      probesSeen = probes.results.length;
      const current: SampleWindow = {
        lagMs: lags.length === 0 ? undefined : Math.max(...lags),
        alertMs: window.alertMs,
        acked: sender.stats.acked - lastAcked,
      };
      lastAcked = sender.stats.acked;
      window = { lags: [], alertMs: [] };
      const sample = await takeSample((Date.now() - soakStart) / 1000, url, dataDir, current, options.sampleS);
      samples.push(sample);
      log(
        `${options.mode} ${sample.atS.toFixed(0).padStart(4)} s: RSS ${sample.treeRssMb.toFixed(0)} MB, fds ${sample.fds}, ` +
          `lag ${sample.lagMs?.toFixed(0) ?? '–'} ms, alert p99 ${sample.alertP99Ms?.toFixed(0) ?? '–'} ms, ` +
          `${sample.ackedPerSecond.toFixed(0)}/s acked, data ${sample.dataDirMb.toFixed(0)} MB${sender.behind > 0 ? `, ${sender.behind} behind` : ''}`,
      );
    };
    // the kill and restart run beside the samples, which go on through them (Journey down: no process figures)
    const restarting = (async () => {
      await sleep(Math.max(0, soakStart + (durationS / 2) * 1000 - Date.now()));
      const storedEvents = storeHead(dataDir);
      const killAt = Date.now();
      log(`${options.mode}: SIGKILL journey start at ${storedEvents.toLocaleString('en-US')} stored events`);
      await journey?.kill();
      const restarted = startJourneyChild(env, [], port);
      const ready = await untilReady(url, killAt, 120_000);
      journey = await restarted;
      restart = { atS: (killAt - soakStart) / 1000, readyMs: ready, lagBackMs: undefined, storedEvents };
      log(
        `${options.mode}: /readyz 200 ${ready === undefined ? 'never' : `${(ready / 1000).toFixed(2)} s`} after the kill`,
      );
    })();
    for (let next = options.sampleS; next <= durationS; next += options.sampleS) {
      await sleep(Math.max(0, soakStart + next * 1000 - Date.now()));
      await sampleNow();
    }
    await restarting;
    await Promise.all([sender.stop(), probes.stop()]);
    await Promise.all([sending, probing]);
    const sentPerSecond = traffic.count / ((Date.now() - soakStart) / 1000);
    // the audit counts what is not mapped yet as lost: it waits for the mapper first, and says when it gave up
    const mapperDrained = await drained(url, 600_000);
    if (!mapperDrained)
      log(`${options.mode}: the mapper did not drain within 10 minutes; the audit counts its backlog as lost`);
    await sleep(2_000); // the last alerts
    if (restart) {
      const killAt = soakStart + restart.atS * 1000;
      const back = probes.results
        .filter((p) => p.sentAt >= killAt && p.lagMs < 1_000)
        .sort((a, b) => a.visibleAt - b.visibleAt)[0];
      restart = { ...restart, lagBackMs: back === undefined ? undefined : back.visibleAt - killAt };
    }
    await journey?.stop();
    journey = undefined;
    const audit = { ...auditSoakStore(dataDir, preloaded, traffic, sender.ackedBits), mapperDrained };
    return {
      mode: options.mode,
      durationS,
      rate,
      preload: preloaded,
      startup,
      samples,
      restart,
      sender: { ...sender.stats, sentPerSecond },
      probes: { sent: probes.sent, seen: probes.results.length, lags: probes.results },
      alerts: { signUpsSent, posted: slack.posts() },
      audit,
    };
  } finally {
    await journey?.stop();
    await slack.close();
    await nats?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
};
