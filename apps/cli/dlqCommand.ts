import type { Command } from 'commander';
import { ReplayDeadLetters, type ReplayOutcome } from '../../application/ingest/replayDeadLetters.ts';
import { systemClock } from '../../application/ports/clock.ts';
import type { DeadLetter } from '../../application/ports/rawLog/rawLog.ts';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { loadRules } from '../../infrastructure/config/loadRules.ts';
import { eventStoreFor, rawLogFor, whenReady } from '../journey/adapters.ts';
import { withRawEventRecorder } from '../journey/rawEventIndexFor.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

/** Opens the raw log (where dead letters live) of the configured deployment, runs `use`, closes. */
const withDeadLetters = async <T>(use: (log: ReturnType<typeof rawLogFor>) => Promise<T>): Promise<T> => {
  const log = rawLogFor(loadConfig());
  try {
    await whenReady(log);
    return await use(log);
  } finally {
    await log.close();
  }
};

const oneLine = (text: string, max: number) => {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

const row = (letter: DeadLetter) =>
  `${letter.id.padStart(6)}  ${letter.at}  ${letter.stage.padEnd(9)}  ${oneLine(letter.reason, 120)}`;

const outcomeLine = (o: ReplayOutcome) =>
  `${o.id.padStart(6)}  ${o.stage.padEnd(9)}  ${o.status.padEnd(8)}  ${o.detail}`;

/**
 * `journey dlq list|show|replay`: the dead letters of the configured raw log (SQLite in
 * JOURNEY_DATA_DIR, or NATS when NATS_URL is set), safe to run beside a running Journey.
 */
export const registerDlqCommand = (program: Command): void => {
  const dlq = program
    .command('dlq')
    .description('dead letters: events the collector refused or the mapper could not map, with why');

  dlq
    .command('list')
    .description('list dead letters, newest first')
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
    .option('--json', 'one JSON object per line, payload included')
    .action(async (options: { limit: number; json?: boolean }) => {
      await withDeadLetters(async (log) => {
        const letters = await log.listRejected({ limit: options.limit });
        if (options.json) {
          for (const letter of letters) print(JSON.stringify(letter));
          return;
        }
        if (letters.length === 0) return print('no dead letters');
        print(`${'id'.padStart(6)}  ${'at'.padEnd(24)}  ${'stage'.padEnd(9)}  reason`);
        for (const letter of letters) print(row(letter));
        print(`(${letters.length} shown; journey dlq show <id> prints one with its payload)`);
      });
    });

  dlq
    .command('show <id>')
    .description('print one dead letter with its payload, as JSON')
    .action(async (id: string) => {
      await withDeadLetters(async (log) => {
        const letter = await log.getRejected(id);
        if (letter === undefined) {
          process.stderr.write(`journey: there is no dead letter ${id}; see journey dlq list\n`);
          process.exitCode = 1;
          return;
        }
        print(JSON.stringify(letter, null, 2));
      });
    });

  dlq
    .command('replay [id]')
    .description('send a dead letter (or --all) through the stage that refused it again, after a fix')
    .option('--all', 'replay every dead letter, oldest first')
    .option('--rules <file>', 'mapping rules to map with (default: JOURNEY_RULES, else the default rules)')
    .action(async (id: string | undefined, options: { all?: boolean; rules?: string }) => {
      if ((id === undefined) === !options.all) {
        process.stderr.write('journey: give one dead letter id or --all, e.g. journey dlq replay 12\n');
        process.exitCode = 2;
        return;
      }
      const config = loadConfig();
      const rules = loadRules(options.rules ?? config.JOURNEY_RULES);
      await withDeadLetters(async (log) => {
        const eventStore = eventStoreFor(config);
        try {
          await whenReady(eventStore);
          const outcomes = await withRawEventRecorder(config, (onMapped) => {
            const replay = new ReplayDeadLetters({
              queue: log,
              rawLog: log,
              eventStore,
              rules,
              clock: systemClock,
              ...(onMapped === undefined ? {} : { onMapped }),
            });
            return id === undefined ? replay.replayAll() : replay.replay(id).then((o) => [o]);
          });
          for (const o of outcomes) print(outcomeLine(o));
          const replayed = outcomes.filter((o) => o.status === 'replayed').length;
          print(`replayed ${replayed} of ${outcomes.length}; those still failing stay in the queue`);
          if (replayed < outcomes.length) process.exitCode = 1;
        } finally {
          await eventStore.close();
        }
      });
    });
};
