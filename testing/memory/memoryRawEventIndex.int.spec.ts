import { describeRawEventIndexContract } from '../../application/ports/rawEventIndex/rawEventIndex.contract.ts';
import { MemoryRawEventIndex } from './memoryRawEventIndex.ts';

describeRawEventIndexContract('memory', async () => ({ index: new MemoryRawEventIndex(), cleanup: async () => {} }));
