import { describeReadModelStoreContract } from '../../application/ports/readModels/readModels.contract.ts';
import { describeReadModelSeriesContract } from '../../application/ports/readModels/readModelsSeries.contract.ts';
import { MemoryReadModels } from './memoryReadModels.ts';

describeReadModelStoreContract('memory', async () => {
  const store = new MemoryReadModels();
  return { store, cleanup: () => store.close() };
});

describeReadModelSeriesContract('memory', async () => {
  const store = new MemoryReadModels();
  return { store, cleanup: () => store.close() };
});
