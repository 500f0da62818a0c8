import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { MapRawEvents } from '../../application/mapping/mapRawEvents.ts';
import { remapRawLog } from '../../application/mapping/remapRawLog.ts';
import { systemClock } from '../../application/ports/clock.ts';
import type { EventStore } from '../../application/ports/eventStore/eventStore.ts';
import { JOURNEY_STREAM_PREFIX } from '../../domain/journey/journeyEvent.ts';
import { alertRulesOf } from '../../infrastructure/config/alertsConfig.ts';
import { type JourneyConfig, loadConfig } from '../../infrastructure/config/config.ts';
import { loadRules } from '../../infrastructure/config/loadRules.ts';
import { alertsProjection } from '../../projections/alerts/alertsProjection.ts';
import { ProjectionRunner } from '../../projections/projectionRunner.ts';
import { eventStoreFor, rawLogFor, whenReady } from '../journey/adapters.ts';
import { withRawEventRecorder } from '../journey/rawEventIndexFor.ts';
import { readSideFor } from '../journey/readSideFor.ts';
import { journeyProjection } from '../projector/journeyProjections.ts';

const instantOf = (value: string): string => {
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new InvalidArgumentError('must be a date or an instant such as 2026-01-31 or 2026-01-31T12:00:00Z');
  }
  return new Date(ms).toISOString();
};

/** Brings each projection up to the store's head in this process; returns events applied per projection. */
export const catchUpProjections = async (
  config: JourneyConfig,
  eventStore: EventStore,
): Promise<{ name: string; applied: number }[]> => {
  const outcomes: { name: string; applied: number }[] = [];
  const readSide = readSideFor(config, 'remap');
  for (const name of ['timeline', 'users'] as const) {
    const store = readSide.readModels(name);
    try {
      const applied = await new ProjectionRunner(eventStore, store, journeyProjection(config, name)).catchUp();
      outcomes.push({ name, applied });
    } finally {
      await store.close();
    }
  }
  const alerts = readSide.alertStore();
  try {
    const projection = alertsProjection(alertRulesOf(config), systemClock);
    outcomes.push({ name: 'alerts', applied: await new ProjectionRunner(eventStore, alerts, projection).catchUp() });
  } finally {
    await alerts.close();
    await readSide.close();
  }
  return outcomes;
};

/** `journey remap --from <date>` */
export const registerRemapCommand = (program: Command): void => {
  program
    .command('remap')
    .description(
      're-run the mapping rules (JOURNEY_RULES) over the raw log from a date, append the journey events that did not exist, and catch the projections up',
    )
    .requiredOption('--from <date>', 'raw events received at or after this date or instant (UTC)', instantOf)
    .action(async (options: { from: string }) => {
      const config = loadConfig();
      const rules = loadRules(config.JOURNEY_RULES);
      const rawLog = rawLogFor(config);
      const eventStore = eventStoreFor(config);
      try {
        await whenReady(rawLog);
        await whenReady(eventStore);
        // the explorer then shows what the events become with the new rules
        const outcome = await withRawEventRecorder(config, (onMapped) =>
          remapRawLog(rawLog, eventStore, new MapRawEvents(eventStore, rawLog, rules, onMapped).handle, {
            from: options.from,
            streamPrefix: JOURNEY_STREAM_PREFIX,
            group: `remap-${new Date().toISOString().replace(/[:.]/g, '-')}`,
            pollMs: config.JOURNEY_SQLITE_POLL_MS,
          }),
        );
        process.stdout.write(
          `remapped ${outcome.remapped.toLocaleString('en-US')} of ${outcome.read.toLocaleString('en-US')} raw events (received from ${options.from}); ${outcome.appended.toLocaleString('en-US')} new journey events appended\n`,
        );
        for (const { name, applied } of await catchUpProjections(config, eventStore)) {
          process.stdout.write(`${name}: caught up, ${applied.toLocaleString('en-US')} events applied\n`);
        }
      } finally {
        await rawLog.close();
        await eventStore.close();
      }
    });
};
