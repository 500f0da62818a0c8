import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';

/** who holds a lease, as the lease row and the logs name it: the app, host, pid (and thread) */
export const leaseHolder = (app: string): string =>
  `${app} on ${hostname()} pid ${process.pid}${threadId === 0 ? '' : ` thread ${threadId}`}`;
