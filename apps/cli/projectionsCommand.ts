import { hostname } from 'node:os';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { type ProjectionStatus, projectionStatuses } from '../../application/ops/projectionStatus.ts';
import { systemClock } from '../../application/ports/clock.ts';
import { type EventStore, type Position, positionToString } from '../../application/ports/eventStore/eventStore.ts';
import type { RebuildTarget } from '../../application/ports/rebuildTarget.ts';
import { type JourneyConfig, loadConfig } from '../../infrastructure/config/config.ts';
import type { RebuildOutcome } from '../../projections/rebuildProjections.ts';
import { eventStoreFor, whenReady } from '../journey/adapters.ts';
import { rebuildInThreads } from '../projector/rebuildInThreads.ts';
import {
  type RebuildableProjection,
  rebuildableProjections,
  rebuildableProjectionsOf,
  rebuildTargetOf,
} from '../projector/rebuildTargets.ts';

const print = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const positionText = (p: Position | null): string => (p === null ? '-' : positionToString(p));

/** `all`: every projection of the configuration (automations only with JOURNEY_AUTOMATIONS) */
const projectionsOf = (value: string): RebuildableProjection[] | 'all' => {
  if (value === 'all') return 'all';
  if ((rebuildableProjections as readonly string[]).includes(value)) return [value as RebuildableProjection];
  throw new InvalidArgumentError(`must be one of ${rebuildableProjections.join(', ')} or all`);
};

/** opens the event store, runs `use`, closes it */
const withEventStore = async <T>(use: (eventStore: EventStore, config: JourneyConfig) => Promise<T>): Promise<T> => {
  const config = loadConfig();
  const eventStore = eventStoreFor(config);
  try {
    await whenReady(eventStore);
    return await use(eventStore, config);
  } finally {
    await eventStore.close();
  }
};

/** opens the store and the targets (every projection of the configuration), runs `use`, closes them */
const withProjections = <T>(use: (eventStore: EventStore, targets: RebuildTarget[]) => Promise<T>): Promise<T> =>
  withEventStore(async (eventStore, config) => {
    const targets: RebuildTarget[] = [];
    try {
      for (const name of rebuildableProjectionsOf(config)) targets.push(rebuildTargetOf(config, name, systemClock));
      return await use(eventStore, targets);
    } finally {
      for (const t of targets) await t.close();
    }
  });

const table = (rows: readonly (readonly string[])[]): string[] => {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
};

const statusRows = (statuses: readonly ProjectionStatus[], sampled: boolean): string[] =>
  table([
    ['projection', 'version', 'checkpoint', 'lag (events)', ...(sampled ? ['events/s'] : []), 'rebuild'],
    ...statuses.map((s) => [
      s.name,
      `v${s.version}`,
      positionText(s.checkpoint),
      `${s.lagCapped ? '>' : ''}${s.lag.toLocaleString('en-US')}`,
      ...(sampled ? [Math.round(s.eventsPerSecond ?? 0).toLocaleString('en-US')] : []),
      s.rebuild ? `running: pid ${s.rebuild.pid} on ${s.rebuild.host} since ${s.rebuild.since}` : '-',
    ]),
  ]);

const outcomeLines = (o: RebuildOutcome): string[] => {
  const rate = o.seconds > 0 ? Math.round(o.events / o.seconds).toLocaleString('en-US') : '-';
  const lines = [
    `${o.name}: v${o.version} swapped in at checkpoint ${positionText(o.checkpoint)}; ${o.events.toLocaleString('en-US')} events in ${o.seconds.toFixed(1)} s (${rate} events/s)`,
  ];
  if (o.hashes) {
    const same = o.hashes.replaced === o.hashes.rebuilt;
    lines.push(
      `  content hash, replaced v${o.version - 1} (checkpoint ${positionText(o.hashes.replacedCheckpoint)}): ${o.hashes.replaced}`,
      `  content hash, rebuilt  v${o.version} (checkpoint ${positionText(o.checkpoint)}): ${o.hashes.rebuilt}`,
      same
        ? '  verify: equal'
        : '  verify: DIFFERENT (expected when the projection or the mapping changed, or when the live one was behind)',
    );
  }
  return lines;
};

/** `journey projections list | status | rebuild <name|all> [--verify]` */
export const registerProjectionsCommands = (program: Command): void => {
  const projections = program
    .command('projections')
    .description('list, inspect and rebuild the read models (timeline, users, alerts, sessions, automations)');

  projections
    .command('list')
    .description('each projection: version, checkpoint, lag behind the store head, running rebuild')
    .action(() =>
      withProjections(async (eventStore, targets) => {
        for (const line of statusRows(await projectionStatuses(eventStore, targets), false)) print(line);
      }),
    );

  projections
    .command('status')
    .description('as list, plus how many events/s each live projection applies (watched for --sample ms)')
    .option('--sample <ms>', 'how long to watch the checkpoints', (v) => Number(v), 1000)
    .action((options: { sample: number }) =>
      withProjections(async (eventStore, targets) => {
        const statuses = await projectionStatuses(eventStore, targets, { sampleMs: options.sample });
        for (const line of statusRows(statuses, true)) print(line);
      }),
    );

  projections
    .command('rebuild')
    .description(
      'replay the event store into the next version of a projection while the live one serves, then swap it in',
    )
    .argument(
      '<name>',
      `${rebuildableProjections.join(', ')} or all (automations only when JOURNEY_AUTOMATIONS is set)`,
      projectionsOf,
    )
    .option('--verify', 'print the content hash of the replaced and the rebuilt read model')
    .option('--batch-size <n>', 'events per read', (v) => Number(v), 1000)
    .action((chosen: RebuildableProjection[] | 'all', options: { verify?: boolean; batchSize: number }) =>
      withEventStore(async (eventStore, config) => {
        const names = chosen === 'all' ? rebuildableProjectionsOf(config) : chosen;
        const bar = new SingleBar({
          format: `rebuilding ${names.join(', ')} [{bar}] {value}/{total} events | {eps} events/s | ETA {eta_formatted} | {phase}`,
          stream: process.stderr,
          hideCursor: true,
        });
        const started = performance.now();
        let barStarted = false;
        const outcomes = await rebuildInThreads(config, eventStore, names, systemClock, {
          holder: { pid: process.pid, host: hostname(), since: new Date().toISOString() },
          verify: options.verify ?? false,
          batchSize: options.batchSize,
          onProgress: ({ phase, done, total }) => {
            const seconds = (performance.now() - started) / 1000;
            const payload = { phase, eps: seconds > 0 ? Math.round(done / seconds).toLocaleString('en-US') : '-' };
            if (!barStarted) {
              bar.start(Math.max(total, 1), done, payload);
              barStarted = true;
            } else {
              bar.setTotal(Math.max(total, 1));
              bar.update(done, payload);
            }
          },
        });
        if (barStarted) bar.stop();
        for (const outcome of outcomes) for (const line of outcomeLines(outcome)) print(line);
      }),
    );
};
