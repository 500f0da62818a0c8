import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgresServer } from '../testing/postgres/postgresServer.ts';
import { alertLatencyBench } from './alertLatencyBench.ts';
import { alertStageLines } from './alertStages.ts';

/**
 * `node bin/run.js bench/alertLatencyMain.ts [seconds] [eventsPerSecond] [--profile] [--postgres]`: the
 * alert latency bench on its own; `--profile` writes Journey's CPU profile to .bench-out/profiles,
 * `--postgres` keeps the read side and alert store in a private durable PostgreSQL server.
 */
const [seconds = 30, eventsPerSecond = 1_000] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map(Number);
const profileDir = join(fileURLToPath(new URL('..', import.meta.url)), '.bench-out', 'profiles');
const execArgv = process.argv.includes('--profile') ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
const postgres = process.argv.includes('--postgres')
  ? await startPostgresServer({
      durable: true,
      settings: ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track_planning=on'],
    })
  : undefined;
if (postgres) await postgresStatements(postgres.url, 'CREATE EXTENSION pg_stat_statements');
const run = await alertLatencyBench({ seconds, eventsPerSecond, execArgv, databaseUrl: postgres?.url });
const statements =
  postgres &&
  (await postgresStatements(
    postgres.url,
    `SELECT calls, round(total_exec_time)::int AS ms, round(total_plan_time)::int AS plan,
       (shared_blks_hit + shared_blks_read) / greatest(calls, 1) AS blocks, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
     FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 14`,
  ));
await postgres?.stop();
process.stdout.write(
  `sign-up alerts, ingest → Slack post, ${eventsPerSecond}/s for ${seconds} s after a 5 s warm-up: ${run.posted}/${run.sent} posted; ` +
    `p50 ${run.p50Ms.toFixed(1)} ms, p99 ${run.p99Ms.toFixed(1)} ms, max ${run.maxMs.toFixed(1)} ms (goal p99 < 50 ms); ` +
    `ingest → outbox row p50 ${run.raisedP50Ms.toFixed(0)} ms, p99 ${run.raisedP99Ms.toFixed(0)} ms; ` +
    `${run.retried} retried${run.retryReason ? ` (${run.retryReason})` : ''}\n${alertStageLines(run).join('\n')}\n`,
);
if (statements)
  process.stdout.write(
    `PostgreSQL statements by total time (calls, ms executing, ms planning, blocks per call, statement):\n${statements.map((r) => `  ${r.calls} ${r.ms} ${r.plan} ${r.blocks} ${r.query}`).join('\n')}\n`,
  );

async function postgresStatements(url: string, sql: string): Promise<Record<string, string>[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}
