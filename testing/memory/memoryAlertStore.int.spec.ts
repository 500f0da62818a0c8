import { describeAlertStoreContract } from '../../application/ports/alertStore/alertStore.contract.ts';
import { describeAlertStoreSeriesContract } from '../../application/ports/alertStore/alertStoreSeries.contract.ts';
import { MemoryAlertStore } from './memoryAlertStore.ts';

describeAlertStoreContract('memory', async () => {
  const store = new MemoryAlertStore();
  return { store, cleanup: () => store.close() };
});

describeAlertStoreSeriesContract('memory', async () => {
  const store = new MemoryAlertStore();
  return { store, cleanup: () => store.close() };
});
