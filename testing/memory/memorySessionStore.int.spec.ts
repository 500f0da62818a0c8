import { describeSessionStoreContract } from '../../application/ports/sessionStore/sessionStore.contract.ts';
import { MemorySessionStore } from './memorySessionStore.ts';

describeSessionStoreContract('memory', async () => ({ store: new MemorySessionStore(), cleanup: async () => {} }));
