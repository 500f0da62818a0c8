import { describeDeadLetterQueueContract } from '../../application/ports/rawLog/deadLetterQueue.contract.ts';
import { describeRawLogContract } from '../../application/ports/rawLog/rawLog.contract.ts';
import { MemoryRawLog } from './memoryRawLog.ts';

describeRawLogContract(
  'memory',
  async () => {
    const log = new MemoryRawLog({ retryInitialMs: 2, retryMaxMs: 10, pollIntervalMs: 20 });
    return { log, cleanup: () => log.close() };
  },
  { reopen: false },
);

describeDeadLetterQueueContract('memory', () => new MemoryRawLog());
