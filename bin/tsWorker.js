// Entry point of worker threads that run TypeScript: registers tsx in this thread (Node 20
// does not carry the parent's loader into workers), then loads the module named in
// workerData.module. A write the storage refuses in this thread (disk full, read-only) is
// passed to the main thread, which stops the process (apps/journey/supervisedWorker.ts). A
// supervised worker also gets `heapSlots`, where this thread keeps its heap for /metrics.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { onStorageFailure } = await import('../infrastructure/sqlite/storageFailureListeners.ts');
onStorageFailure((failure) => parentPort?.postMessage({ type: 'storage-failed', failure }));
if (workerData.heapSlots instanceof SharedArrayBuffer) {
  const { publishHeap } = await import('../infrastructure/metrics/threadHeap.ts');
  publishHeap(workerData.heapSlots);
}
await import(workerData.module);
