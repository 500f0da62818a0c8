/** What the soak records every 5 s; the series of these is the soak's result, in its JSON. */
export type SoakSample = {
  /** seconds since the soak started sending */
  readonly atS: number;
  /** RSS of `journey start` and every process under it (the esbuild service, once the dashboard was built) */
  readonly treeRssMb: number;
  /** RSS of each process: `journey` and its children by command name, `nats-server` beside them */
  readonly processRssMb: Readonly<Record<string, number>>;
  /** V8 heap in use per thread of Journey (journey_thread_heap_used_bytes), MB */
  readonly threadHeapMb: Readonly<Record<string, number>>;
  /** open file descriptors of `journey start` (/proc/<pid>/fd) */
  readonly fds: number;
  /** the main thread's event-loop delay p99 since the previous scrape (journey_nodejs_eventloop_lag_p99_seconds) */
  readonly loopDelayP99Ms: number | undefined;
  /** the data directory on disk, and the nats-server store when there is one */
  readonly dataDirMb: number;
  readonly natsStoreMb: number | undefined;
  /** the largest sent → visible-in-the-journey-API lag of the probes that became visible in these 5 s */
  readonly lagMs: number | undefined;
  /** sign-up alerts posted to the fake Slack in these 5 s: sent → posted */
  readonly alertP50Ms: number | undefined;
  readonly alertP99Ms: number | undefined;
  /** events acknowledged (200) per second in these 5 s, retries included */
  readonly ackedPerSecond: number;
  /** false while Journey is down (killed, restarting): the process figures are then missing */
  readonly journeyUp: boolean;
};

/** The kill at half time and what it took to recover, from the SIGKILL. */
export type SoakRestart = {
  readonly atS: number;
  /** SIGKILL → /readyz answers 200 again (the new process is spawned at once) */
  readonly readyMs: number | undefined;
  /** SIGKILL → the first probe sent after it is visible within 1 s of being sent */
  readonly lagBackMs: number | undefined;
  /** journey events in the store when it was killed */
  readonly storedEvents: number;
};
