import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRawEventIndexContract } from '../../../application/ports/rawEventIndex/rawEventIndex.contract.ts';
import { mappedOutcome, rawEvent } from '../../../application/ports/rawEventIndex/rawEventIndex.fixtures.ts';
import { sqliteTestFiles } from '../../../testing/sqliteTestFiles.ts';
import { SqliteRawEventIndex } from './sqliteRawEventIndex.ts';

let files: Awaited<ReturnType<typeof sqliteTestFiles>>;
beforeAll(async () => {
  files = await sqliteTestFiles('rawevents');
});
afterAll(async () => {
  await files.remove();
});

describeRawEventIndexContract('sqlite', async () => {
  const index = new SqliteRawEventIndex(files.file());
  return { index, cleanup: () => index.close() };
});

describe('SqliteRawEventIndex', () => {
  it('keeps events, outcomes and the version across a reopen, and a second connection sees the writes', async () => {
    const file = files.file();
    const writer = new SqliteRawEventIndex(file);
    const reader = new SqliteRawEventIndex(file);
    try {
      const event = rawEvent('m1', 1);
      await writer.record({ stored: [event] });
      await writer.record({ outcomes: [mappedOutcome(event)] });
      expect((await reader.changesSince(0, {}, 10)).changes.map((c) => c.status)).toEqual(['mapped']);
      await writer.close();
      const again = new SqliteRawEventIndex(file);
      expect(await again.headVersion()).toBe(2);
      expect((await again.query({ userId: 'ada' }, { limit: 5 })).events.map((e) => e.status)).toEqual(['mapped']);
      await again.close();
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it("answers one user's page from the user index, not a scan", async () => {
    const index = new SqliteRawEventIndex(files.file());
    try {
      const plan = (
        index as unknown as { db: { prepare(sql: string): { all(...v: unknown[]): { detail: string }[] } } }
      ).db
        .prepare(
          'EXPLAIN QUERY PLAN SELECT * FROM raw_event_index WHERE user_key = ? AND (received_at, message_id) < (?, ?) ORDER BY received_at DESC, message_id DESC LIMIT 50',
        )
        .all('ada', '2026-05-01', 'm');
      expect(plan.map((p) => p.detail).join(' | ')).toMatch(/USING INDEX raw_event_index_user/);
      expect(plan.map((p) => p.detail).join(' | ')).not.toMatch(/TEMP B-TREE/);
    } finally {
      await index.close();
    }
  });
});
