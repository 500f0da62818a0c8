import { describe, it } from 'vitest';
import { MemorySessionStore } from '../../testing/memory/memorySessionStore.ts';
import { checkSessionsMatchRecomputation } from '../../testing/sessions/sessionsProperty.ts';

describe('the sessions projection', () => {
  it('keeps, whatever order and batches the events arrive in, the sessions of all of them sorted by time', async () => {
    await checkSessionsMatchRecomputation(
      async () => ({ store: new MemorySessionStore(), cleanup: async () => {} }),
      300,
    );
  });
});
