import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { Webhook } from 'standardwebhooks';

/**
 * The automation bench's webhook receiver in a thread of its own, so the load generator cannot
 * delay the arrival times. It verifies each Standard Webhooks signature as a real receiver would
 * and timestamps arrival once the body is in. Posts `{ url }` once listening, then every 20 ms
 * `{ received: [[userId, at], …] }` and `{ badSignatures }`; answers `'close'` with `'closed'`.
 */
const port = parentPort;
if (!port) throw new Error('webhookReceiverThread.ts runs as a worker thread only');
const webhook = new Webhook((workerData as { secret: string }).secret);
let received: [string, number][] = [];
let badSignatures = 0;
// batched: one message per webhook would cost the thread more than receiving it
const flush = () => {
  if (received.length > 0) port.postMessage({ received, badSignatures });
  received = [];
};
const flushing = setInterval(flush, 20);

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    try {
      const body = webhook.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>) as {
        user: { id: string };
      };
      received.push([body.user.id, at]);
      res.writeHead(200).end();
    } catch {
      badSignatures++;
      port.postMessage({ received: [], badSignatures });
      res.writeHead(400).end('bad signature');
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  port.postMessage({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/journey` });
});
port.on('message', (message: unknown) => {
  if (message !== 'close') return;
  clearInterval(flushing);
  flush();
  server.closeAllConnections();
  server.close(() => {
    port.postMessage('closed');
    port.close();
  });
});
