import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../infrastructure/sqlite/openDatabase.ts';

/**
 * Test support (supervisedWorker.int.spec.ts): a worker thread whose database is full. It
 * says ready, then writes until SQLite refuses (SQLITE_FULL from max_page_count) and dies of
 * the error, as a projection or the alerter would on a full disk.
 */
const { file } = workerData as { file: string };
const db = openDatabase(file);
db.exec('CREATE TABLE IF NOT EXISTS t (v TEXT)');
db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true })) + 2}`);
parentPort?.postMessage({ type: 'ready' });
const insert = db.prepare('INSERT INTO t VALUES (?)');
const write = db.transaction(() => insert.run('x'.repeat(1_000)));
for (;;) write();
