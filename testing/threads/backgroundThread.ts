import { getPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../../infrastructure/threads/backgroundPriority.ts';

// a worker thread (started through bin/tsWorker.js) that lowers its priority and says what it has
lowerThisThreadsPriority();
parentPort?.postMessage(getPriority());
