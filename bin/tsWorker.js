// Entry point of worker threads that run TypeScript: registers tsx in this thread (Node 20
// does not carry the parent's loader into workers), then loads the module named in
// workerData.module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
