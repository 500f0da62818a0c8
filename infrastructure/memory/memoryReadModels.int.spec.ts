import { describeReadModelStoreContract } from '../../application/readModels.contract.ts';
import { describeReadModelSeriesContract } from '../../application/readModelsSeries.contract.ts';
import { MemoryReadModels } from './memoryReadModels.ts';

describeReadModelStoreContract('memory', async () => {
  const store = new MemoryReadModels();
  return { store, cleanup: () => store.close() };
});

describeReadModelSeriesContract('memory', async () => {
  const store = new MemoryReadModels();
  return { store, cleanup: () => store.close() };
});
