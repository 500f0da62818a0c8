import { Command, InvalidArgumentError } from 'commander';
import { isConfigError, isJourneyError } from '../../domain/errors/journeyError.ts';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { resolveCredentials } from '../../infrastructure/config/credentials.ts';
import { createLogger } from '../../infrastructure/logging/createLogger.ts';
import { type AppName, appNames } from '../journey/appNames.ts';
import type { RunningJourney } from '../journey/startJourney.ts';
import { registerAutomationsCommand } from './automationsCommand.ts';
import { runDemo } from './demo/runDemo.ts';
import { registerDlqCommand } from './dlqCommand.ts';
import { registerProjectionsCommands } from './projectionsCommand.ts';
import { registerRemapCommand } from './remapCommand.ts';
import { startupBanner } from './startupBanner.ts';
import { stopOnStorageFailure } from './stopOnStorageFailure.ts';

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a whole number above 0');
  return n;
};
const isoDay = (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('must be a date such as 2026-01-31');
  }
  return value;
};

/**
 * Runs apps until SIGINT/SIGTERM, then stops them in order (HTTP first, stores last); a write
 * the storage refused stops them the same way, with exit code 74.
 */
const run = async (apps: readonly AppName[]): Promise<void> => {
  const config = loadConfig();
  let journey: RunningJourney | undefined;
  stopOnStorageFailure(async () => journey?.stop(), createLogger(config));
  // loaded here, not at the top: the other commands (dlq, projections, report…) never need it
  const { startJourney } = await import('../journey/startJourney.ts');
  journey = await startJourney(config, apps);
  process.stdout.write(startupBanner(config, journey));
  const running = journey;
  const shutdown = async () => {
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
};

const program = new Command('journey')
  .description('Journey: real-time customer-journey analytics (collector, mapper, projector, API, alerter)')
  .showHelpAfterError();

program
  .command('start')
  .description('run everything in one process, embedded (SQLite in JOURNEY_DATA_DIR, no servers needed)')
  .action(() => run(appNames));

const appDescriptions: Record<AppName, string> = {
  collector: 'run only the collector: Segment-compatible HTTP ingest into the raw log',
  mapper: 'run only the mapper: raw log → identity → rules → per-user journey streams',
  projector: 'run only the projector: journey streams → read models',
  api: 'run only the query API',
  alerter: 'run only the alerter: alert outbox → Slack (exactly once per alert), slow-deployment timer',
  automator: 'run only the automator: automation timers and outbox → webhooks, Slack, NATS (one id per trigger)',
  reporter: 'run only the reporter: the daily funnel report (PDF per stage, Slack) on JOURNEY_REPORT_CRON',
};
for (const name of appNames) {
  program
    .command(name)
    .description(appDescriptions[name])
    .action(() => run([name]));
}

program
  .command('demo')
  .description('send a synthetic onboarding day to a running Journey and print the funnel')
  .option('--url <url>', 'where Journey listens (default http://HOST:PORT from the environment)')
  .option('--write-key <key>', 'a write key (default: JOURNEY_WRITE_KEYS or the one in JOURNEY_DATA_DIR)')
  .option('--api-token <token>', 'the API token (default: JOURNEY_API_TOKEN or the one in JOURNEY_DATA_DIR)')
  .option('--users <n>', 'how many people visit', positiveInt, 300)
  .option('--seed <n>', 'random seed; the same seed and date send the same events', positiveInt, 42)
  .option('--date <YYYY-MM-DD>', 'the day to simulate (default: yesterday, UTC)', isoDay)
  .action(
    async (options: {
      url?: string;
      writeKey?: string;
      apiToken?: string;
      users: number;
      seed: number;
      date?: string;
    }) => {
      const config = loadConfig();
      const credentials = options.writeKey && options.apiToken ? undefined : resolveCredentials(config);
      const ok = await runDemo({
        url: options.url ?? `http://${config.HOST}:${config.PORT}`,
        writeKey: options.writeKey ?? [...(credentials?.writeKeys.keys() ?? [])][0] ?? '',
        apiToken: options.apiToken ?? credentials?.apiToken ?? '',
        users: options.users,
        seed: options.seed,
        day: options.date ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
        windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS,
        print: (line) => process.stdout.write(`${line}\n`),
      });
      process.exitCode = ok ? 0 : 1;
    },
  );

program
  .command('report')
  .description('the daily funnel report')
  .command('run')
  .description('report one date now: record it, render a PDF per stage, post to SLACK_REPORT_CHANNEL')
  .requiredOption('--date <YYYY-MM-DD>', 'the day to report, in JOURNEY_REPORT_TZ', isoDay)
  .option('--out <dir>', 'also write the PDFs here (with --dry-run: the PDFs and Slack payloads)')
  .option(
    '--dry-run',
    'write the PDFs and Slack payloads to --out (default JOURNEY_DATA_DIR/reports); record and post nothing',
  )
  .option('--force', 'send it again even if the date was already reported')
  .action(async (options: { date: string; out?: string; dryRun?: boolean; force?: boolean }) => {
    const { runReportCommand } = await import('../reporter/runReportCommand.ts');
    await runReportCommand(loadConfig(), options, (line) => process.stdout.write(`${line}\n`));
  });
registerProjectionsCommands(program);
registerRemapCommand(program);
registerDlqCommand(program);
registerAutomationsCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (isConfigError(error)) process.stderr.write(`${message}\n`);
  else if (isJourneyError(error)) process.stderr.write(`journey: ${message}\n`);
  else if ((error as NodeJS.ErrnoException).cause && /fetch failed/.test(message)) {
    process.stderr.write(
      `journey: ${message} (${String((error as { cause: unknown }).cause)}); is Journey running? start it with npm start\n`,
    );
  } else process.stderr.write(`journey: ${error instanceof Error ? (error.stack ?? message) : message}\n`);
  process.exit(isConfigError(error) ? 2 : 1);
}
