import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedDatabase } from '../../../testing/postgres/migratedDatabase.ts';
import { type PostgresServer, startPostgresServer } from '../../../testing/postgres/postgresServer.ts';
import { sleep } from '../../../testing/sleep.ts';
import { inAlertWriteTransaction } from './inAlertWriteTransaction.ts';
import { PostgresAlertOutbox } from './postgresAlertOutbox.ts';
import type { AlertChanges } from './recordingAlertWriter.ts';
import { writeAlertChanges } from './writeAlertChanges.ts';

const NOW = '2026-05-01T12:00:00.000Z';
const raising = (key: string): AlertChanges => ({
  deployments: [],
  errorGroups: [],
  alerts: [
    { key, kind: 'signup', userId: 'ada', occurredAt: NOW, content: { headline: key, facts: [] }, raisedAt: NOW },
  ],
});

describe('alert write transactions', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('number the outbox in commit order: reading after a cursor misses nothing a slower transaction raised', async () => {
    const { pool } = await migratedDatabase(server);
    const outbox = new PostgresAlertOutbox(pool);
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let firstRaised = (): void => undefined;
    const raisedFirst = new Promise<void>((resolve) => {
      firstRaised = resolve;
    });
    // the first raises (with a sequence, it would draw number 1) and stays open
    const first = inAlertWriteTransaction(pool, { doing: 'the first' }, async ({ client }) => {
      await writeAlertChanges(client, raising('first'), undefined);
      firstRaised();
      await released;
    });
    await raisedFirst;
    // the second raises meanwhile and commits as soon as it may
    const second = inAlertWriteTransaction(pool, { doing: 'the second' }, ({ client }) =>
      writeAlertChanges(client, raising('second'), undefined),
    );
    const secondCommitted = await Promise.race([second.then(() => true), sleep(300).then(() => false)]);
    const early = await outbox.duePage(NOW, 10);
    release();
    await Promise.all([first, second]);
    const late = await outbox.duePage(NOW, 10, early.cursor);

    expect([...early.alerts, ...late.alerts].map((a) => a.key)).toEqual(['first', 'second']);
    expect(secondCommitted).toBe(false); // it waited for the first to commit
    await pool.end();
  });
});
