import { endOfUtcDay, type Funnel, funnelOf } from '../../../domain/stage/funnel.ts';
import { stages } from '../../../domain/stage/stage.ts';
import { summarizeActivity } from '../../../domain/stage/summarizeActivity.ts';
import { type DemoDataset, demoDataset } from './demoDataset.ts';

export type DemoOptions = {
  readonly url: string;
  readonly writeKey: string;
  readonly apiToken: string;
  readonly users: number;
  readonly seed: number;
  readonly day: string;
  readonly windowDays: number;
  readonly print: (line: string) => void;
};

const DAY = 86_400_000;

/** What the funnel must say once Journey has taken in the dataset, worked out independently. */
export const expectedFunnel = (dataset: DemoDataset, windowDays: number): Funnel => {
  const asOf = endOfUtcDay(dataset.day);
  const signedUp = dataset.users.filter((u) => u.signedUpAt <= asOf);
  const newSignups = signedUp.filter((u) => u.signedUpAt > asOf - DAY).length;
  return funnelOf(
    signedUp.map((u) => summarizeActivity(u.activity, asOf)),
    asOf,
    windowDays,
    newSignups,
  );
};

const send = async (options: DemoOptions, batch: readonly Record<string, unknown>[]): Promise<void> => {
  const response = await fetch(new URL('/v1/batch', options.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`,
    },
    body: JSON.stringify({ batch, sentAt: new Date().toISOString() }),
  });
  if (!response.ok) throw new Error(`collector answered ${response.status}: ${await response.text()}`);
};

const getFunnel = async (options: DemoOptions, asOf: string): Promise<Funnel> => {
  const response = await fetch(new URL(`/api/funnel?asOf=${encodeURIComponent(asOf)}`, options.url), {
    headers: { authorization: `Bearer ${options.apiToken}` },
  });
  if (!response.ok) throw new Error(`API answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Funnel;
};

const sameCounts = (a: Funnel, b: Funnel) =>
  a.newSignups === b.newSignups && stages.every((s) => a.stages[s] === b.stages[s]);

const bar = (count: number, max: number) => '█'.repeat(max === 0 ? 0 : Math.round((count / max) * 40));

/** Sends the demo day to a running Journey, waits for the read models, prints the funnel. */
export const runDemo = async (options: DemoOptions): Promise<boolean> => {
  const dataset = demoDataset({ day: options.day, users: options.users, seed: options.seed });
  const expected = expectedFunnel(dataset, options.windowDays);
  options.print(
    `Sending ${dataset.events.length} events for ${dataset.users.length} signed-up users (${options.day}) to ${options.url} ...`,
  );
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < dataset.events.length; i += 100) batches.push(dataset.events.slice(i, i + 100));
  // in order, a few at a time: a user's events then arrive in the order they happened
  for (let i = 0; i < batches.length; i += 4) await Promise.all(batches.slice(i, i + 4).map((b) => send(options, b)));

  const asOf = new Date(endOfUtcDay(options.day)).toISOString();
  let funnel = await getFunnel(options, asOf);
  const deadline = Date.now() + 30_000;
  while (!sameCounts(funnel, expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    funnel = await getFunnel(options, asOf);
  }
  const max = Math.max(...stages.map((s) => funnel.stages[s]));
  options.print(`\nFunnel as of ${funnel.asOf} (window ${funnel.windowDays} days)`);
  options.print(`  new sign-ups   ${String(funnel.newSignups).padStart(5)}`);
  for (const s of stages) {
    options.print(`  ${s.padEnd(14)} ${String(funnel.stages[s]).padStart(5)}  ${bar(funnel.stages[s], max)}`);
  }
  const ok = sameCounts(funnel, expected);
  options.print(
    ok
      ? '\n✓ matches the funnel worked out from the generated data'
      : `\n✗ expected ${JSON.stringify({ newSignups: expected.newSignups, stages: expected.stages })}; is the mapper or projector running?`,
  );
  options.print(
    `Try: curl -H 'Authorization: Bearer <token>' '${new URL(`/api/users/${dataset.users[0]?.userId ?? ''}/journey`, options.url)}'`,
  );
  return ok;
};
