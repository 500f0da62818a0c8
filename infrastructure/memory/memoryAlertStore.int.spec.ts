import { describeAlertStoreContract } from '../../application/alertStore.contract.ts';
import { describeAlertStoreSeriesContract } from '../../application/alertStoreSeries.contract.ts';
import { MemoryAlertStore } from './memoryAlertStore.ts';

describeAlertStoreContract('memory', async () => {
  const store = new MemoryAlertStore();
  return { store, cleanup: () => store.close() };
});

describeAlertStoreSeriesContract('memory', async () => {
  const store = new MemoryAlertStore();
  return { store, cleanup: () => store.close() };
});
