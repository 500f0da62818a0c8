import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeAutomationStoreContract } from '../../../application/ports/automationStore/automationStore.contract.ts';
import { delivery, NOW, pos } from '../../../application/ports/automationStore/automationStore.fixtures.ts';
import { sqliteTestFiles } from '../../../testing/sqliteTestFiles.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import { SqliteAutomationStore } from './sqliteAutomationStore.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('automations');
});
afterAll(async () => {
  await files.remove();
});

describeAutomationStoreContract('sqlite', async () => {
  const store = new SqliteAutomationStore(files.file());
  return { store, cleanup: () => store.close() };
});

describe('SqliteAutomationStore', () => {
  it('keeps the outbox, its attempts and the checkpoint across a reopen', async () => {
    const file = files.file();
    const first = new SqliteAutomationStore(file);
    await first.applyBatch('automations', { from: null, to: pos(7) }, (w) => {
      w.enqueue(delivery('welcome-email:e1'), NOW);
    });
    await first.beginAttempt('welcome-email:e1');
    await first.close();
    const second = new SqliteAutomationStore(file);
    expect(await second.get('welcome-email:e1')).toMatchObject({ attempts: 1, status: 'pending' });
    expect(await second.readCheckpoint('automations')).toEqual(pos(7));
    await second.close();
  });

  it('finds due deliveries through the pending rows only, never a scan of the delivered history', async () => {
    const file = files.file();
    const store = new SqliteAutomationStore(file);
    await store.close();
    const db = new Database(file, { readonly: true });
    try {
      // the statement due() runs: a scan here costs the automator the whole outbox on every wake-up
      const plan = db
        .prepare<[string, number], { detail: string }>(
          "EXPLAIN QUERY PLAN SELECT * FROM automation_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY seq LIMIT ?",
        )
        .all(NOW, 32)
        .map((step) => step.detail);
      expect(plan).toEqual(['SCAN automation_deliveries USING INDEX automation_deliveries_due']);
    } finally {
      db.close();
    }
  });

  it('wakes the delivery worker on another connection to the file', async () => {
    const file = files.file();
    const writer = new SqliteAutomationStore(file);
    const worker = new SqliteAutomationStore(file);
    let told = 0;
    worker.onEnqueued(() => told++);
    await writer.update((w) => w.enqueue(delivery('welcome-email:e1'), NOW));
    await waitUntil('the other connection to hear of the delivery', () => told === 1);
    await writer.close();
    await worker.close();
  });
});
