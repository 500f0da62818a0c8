import { describeAlertStoreContract } from '../../application/alertStore.contract.ts';
import { MemoryAlertStore } from './memoryAlertStore.ts';

describeAlertStoreContract('memory', async () => {
  const store = new MemoryAlertStore();
  return { store, cleanup: () => store.close() };
});
