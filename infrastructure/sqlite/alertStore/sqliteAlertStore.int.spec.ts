import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAlertStoreContract } from '../../../application/ports/alertStore/alertStore.contract.ts';
import { describeAlertStoreSeriesContract } from '../../../application/ports/alertStore/alertStoreSeries.contract.ts';
import { sqliteTestFiles } from '../../../testing/sqliteTestFiles.ts';
import { SqliteAlertStore } from './sqliteAlertStore.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('alerts');
});
afterAll(async () => {
  await files.remove();
});

describeAlertStoreContract('sqlite', async () => {
  const store = new SqliteAlertStore(files.file());
  return { store, cleanup: () => store.close() };
});

describe('SqliteAlertStore', () => {
  it('keeps the outbox and its delivery state across a reopen', async () => {
    const file = files.file();
    const first = new SqliteAlertStore(file);
    await first.update((w) =>
      w.raise(
        {
          key: 'signup:a',
          kind: 'signup',
          userId: 'a',
          occurredAt: '2026-05-01T12:00:00+02:00',
          content: { headline: 'h', facts: [] },
        },
        '2026-05-01T12:00:00.000Z',
      ),
    );
    await first.beginAttempt('signup:a');
    await first.close();
    const second = new SqliteAlertStore(file);
    expect(await second.get('signup:a')).toMatchObject({
      attempts: 1,
      status: 'pending',
      occurredAt: '2026-05-01T10:00:00.000Z',
    });
    await second.close();
  });

  it('wakes the alerter in another thread: a raise on one connection tells the others on that file', async () => {
    const file = files.file();
    const projector = new SqliteAlertStore(file);
    const alerter = new SqliteAlertStore(file);
    const elsewhere = new SqliteAlertStore(files.file());
    let alerterTold = 0;
    let elsewhereTold = 0;
    alerter.onRaised(() => alerterTold++);
    elsewhere.onRaised(() => elsewhereTold++);
    const told = new Promise<void>((resolve) => alerter.onRaised(resolve));
    await projector.update((w) =>
      w.raise(
        {
          key: 'signup:x',
          kind: 'signup',
          userId: 'x',
          occurredAt: '2026-05-01T10:00:00.000Z',
          content: { headline: 'h', facts: [] },
        },
        '2026-05-01T10:00:00.000Z',
      ),
    );
    await told;
    expect(alerterTold).toBe(1);
    expect(elsewhereTold).toBe(0);
    await Promise.all([projector.close(), alerter.close(), elsewhere.close()]);
  });
});

describeAlertStoreSeriesContract('sqlite', async () => {
  const store = new SqliteAlertStore(files.file());
  return { store, cleanup: () => store.close() };
});
