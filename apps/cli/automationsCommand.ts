import type { Command } from 'commander';
import { replayAutomations } from '../../application/automations/replayAutomations.ts';
import {
  type AutomationStore,
  type DeliveryStatus,
  deliveryStatuses,
  type StoredDelivery,
} from '../../application/ports/automationStore/automationStore.ts';
import { ConfigError, NotFoundError } from '../../domain/errors/journeyError.ts';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { loadAutomations } from '../../infrastructure/config/loadAutomations.ts';
import { SqliteAutomationStore } from '../../infrastructure/sqlite/automationStore/sqliteAutomationStore.ts';
import { automationsProjection } from '../../projections/automations/automationsProjection.ts';
import { eventStoreFor } from '../journey/adapters.ts';
import { readSideFor } from '../journey/readSideFor.ts';

const print = (line: string) => process.stdout.write(`${line}\n`);

/** the configured outbox (JOURNEY_DATABASE_URL's, or the data directory's), safe to open beside a running Journey */
const withStore = async <T>(use: (store: AutomationStore) => Promise<T>): Promise<T> => {
  const store = readSideFor(loadConfig(), 'cli').automationStore();
  try {
    return await use(store);
  } finally {
    await store.close();
  }
};

const statusOf = (value: string): DeliveryStatus => {
  if (!(deliveryStatuses as readonly string[]).includes(value))
    throw new NotFoundError(`--status ${value} is not a delivery state; use one of ${deliveryStatuses.join(', ')}`);
  return value as DeliveryStatus;
};

const SINCE = /^(\d+)([dhm])$/;
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

/** `7d`, `12h`, `30m` before now, or an ISO date or instant */
const sinceOf = (value: string): number => {
  const relative = SINCE.exec(value);
  if (relative) return Date.now() - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS];
  const at = Date.parse(value);
  if (Number.isNaN(at))
    throw new ConfigError(`--since ${value} is not a period such as 7d, 12h, 30m or a date such as 2026-05-01`);
  return at;
};

const row = (d: StoredDelivery) =>
  `${d.status.padEnd(9)}  ${String(d.attempts).padStart(3)}  ${d.triggeredAt}  ${d.id}${d.lastError ? `  (${d.lastError})` : ''}`;

/** `journey automations list|deliveries|retry`: the automations file and the delivery outbox */
export const registerAutomationsCommand = (program: Command): void => {
  const automations = program
    .command('automations')
    .description('automations: journey events and timers that trigger webhooks, Slack messages, NATS subjects');

  automations
    .command('list')
    .description('the automations in JOURNEY_AUTOMATIONS, with their deliveries by state')
    .action(async () => {
      const config = loadConfig();
      const compiled = loadAutomations(config.JOURNEY_AUTOMATIONS, { natsUrl: config.NATS_URL });
      if (compiled.automations.length === 0) {
        print('no automations (set JOURNEY_AUTOMATIONS to a file)');
        return;
      }
      const counts = await withStore((store) => store.countDeliveries());
      for (const a of compiled.automations) {
        const t = a.trigger;
        const when =
          t.kind === 'event'
            ? `on ${t.event}`
            : `${t.wait} after ${t.after}${t.unless.size ? ` unless ${[...t.unless].join(', ')}` : ''}`;
        const states = deliveryStatuses
          .map((s) => `${s} ${counts.find((c) => c.automationId === a.id && c.status === s)?.count ?? 0}`)
          .join(', ');
        print(`${a.id}: ${when}${a.conditional ? ' (with conditions)' : ''} → ${a.actionKind}; ${states}`);
      }
    });

  automations
    .command('deliveries')
    .description('deliveries, newest first')
    .option('--automation <id>', 'only this automation')
    .option('--status <state>', `only ${deliveryStatuses.join(', ')}`, statusOf)
    .option('--limit <n>', 'how many', (v) => Number.parseInt(v, 10), 50)
    .option('--json', 'one JSON object per line, payload included')
    .action(async (options: { automation?: string; status?: DeliveryStatus; limit: number; json?: boolean }) => {
      const deliveries = await withStore((store) =>
        store.listDeliveries({
          ...(options.automation === undefined ? {} : { automation: options.automation }),
          ...(options.status === undefined ? {} : { status: options.status }),
          limit: options.limit,
        }),
      );
      if (options.json) {
        for (const d of deliveries) print(JSON.stringify(d));
        return;
      }
      if (deliveries.length === 0) {
        print('no deliveries');
        return;
      }
      print(`${'state'.padEnd(9)}  try  ${'triggered at'.padEnd(24)}  id`);
      for (const d of deliveries) print(row(d));
    });

  automations
    .command('retry')
    .description('send a failed delivery again, under the same id, with a fresh count of attempts')
    .argument('<id>', 'the delivery id (journey automations deliveries --status failed lists them)')
    .action(async (id: string) => {
      const retried = await withStore((store) => store.retry(id, new Date().toISOString()));
      if (!retried)
        throw new NotFoundError(`there is no delivery ${id}; list them with: npx journey automations deliveries`);
      if (retried.status !== 'pending') {
        print(
          `${id} is ${retried.status}${retried.deliveredAt ? ` since ${retried.deliveredAt}` : ''}; only a failed delivery is retried`,
        );
        return;
      }
      print(`${id} is pending again; the automator sends it within moments`);
    });

  automations
    .command('test')
    .description(
      'replay stored history through an automations file: print what would have fired, and when; sends nothing',
    )
    .argument('<file>', 'an automations JSON file')
    .option('--since <period>', 'how far back: 7d, 12h, 30m or a date', '7d')
    .action(async (file: string, options: { since: string }) => {
      const config = loadConfig();
      const from = sinceOf(options.since);
      // nothing is sent, so a NATS action needs no NATS here
      const compiled = loadAutomations(file, { natsUrl: config.NATS_URL ?? 'not needed for a dry run' });
      const eventStore = eventStoreFor(config);
      const scratch = new SqliteAutomationStore(':memory:');
      try {
        const rules = {
          maxAgeMs: Number.POSITIVE_INFINITY,
          windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS,
          meaningful: new Set(config.JOURNEY_MEANINGFUL_EVENTS),
        };
        const fired = await replayAutomations(
          eventStore,
          scratch,
          compiled,
          (clock) => automationsProjection(compiled, rules, clock),
          { from, until: Date.now(), windowDays: config.JOURNEY_ACTIVE_WINDOW_DAYS },
        );
        for (const d of fired) print(`${d.triggeredAt}  ${d.automationId}  ${d.action}  ${d.userId}  ${d.id}`);
        const counts = compiled.automations.map(
          (a) => `${a.id} ${fired.filter((d) => d.automationId === a.id).length}`,
        );
        print(`would have fired since ${new Date(from).toISOString()}: ${counts.join(', ')} (nothing was sent)`);
      } finally {
        await scratch.close();
        await eventStore.close();
      }
    });
};
