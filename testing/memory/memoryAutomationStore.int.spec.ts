import { describeAutomationStoreContract } from '../../application/ports/automationStore/automationStore.contract.ts';
import { MemoryAutomationStore } from './memoryAutomationStore.ts';

describeAutomationStoreContract('memory', async () => {
  const store = new MemoryAutomationStore();
  return { store, cleanup: () => store.close() };
});
