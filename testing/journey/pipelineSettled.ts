import { type EventStore, EventStoreToken } from '../../application/ports/eventStore/eventStore.ts';
import { type RawLog, RawLogToken } from '../../application/ports/rawLog/rawLog.ts';
import type { RunningJourney } from '../../apps/journey/startJourney.ts';
import { Projector } from '../../apps/projector/projector.ts';

/**
 * Test support: resolves once a running Journey has mapped everything in its raw log and
 * every projection has applied the newest event it follows; fails after `timeoutMs`.
 */
export const pipelineSettled = async (journey: RunningJourney, timeoutMs = 10_000): Promise<void> => {
  const rawLog = journey.container.get<RawLog>(RawLogToken);
  const store = journey.container.get<EventStore>(EventStoreToken);
  const deadline = Date.now() + timeoutMs;
  while ((await rawLog.pending('mapper')) > 0) {
    if (Date.now() > deadline) throw new Error(`the mapper did not drain the raw log in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the projections did not reach the head in ${timeoutMs} ms`)),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    await Promise.race([journey.container.get(Projector).waitForHeads(store), timeout]);
  } finally {
    clearTimeout(timer);
  }
};
