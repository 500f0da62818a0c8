import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_SECRET } from './automationsFixtures.ts';

export type ReceivedWebhook = {
  readonly id: string;
  /** this id's request number at the receiver, from 1 */
  readonly attempt: number;
  readonly receivedAt: number;
  readonly body: {
    readonly automation: string;
    readonly trigger: { eventId: string };
    readonly user: { id: string };
  } & Record<string, unknown>;
};

/** what the receiver answers the `attempt`-th request carrying `id`; 200 by default */
export type Answer = (
  id: string,
  attempt: number,
) => { status: number; headers?: Record<string, string> /** answer after this long */; delayMs?: number };

export type WebhookReceiver = {
  readonly url: string;
  /** every request whose signature verified with the secret, in arrival order */
  readonly received: readonly ReceivedWebhook[];
  /** requests refused for a missing or wrong signature (a correct sender makes none) */
  readonly badSignatures: number;
  /** the ids answered 2xx at least once */
  acceptedIds(): Set<string>;
  /** the distinct delivery ids of each trigger (automation and event) */
  idsByTrigger(): Map<string, Set<string>>;
  answer(answer: Answer): void;
  close(): Promise<void>;
};

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * Test support: a real HTTP server receiving Journey's automation webhooks. It verifies every
 * signature with the shared secret (the `standardwebhooks` package, as a receiver would), keeps
 * what arrived and answers as the spec tells it to (500s, 429 with Retry-After…).
 */
export const startWebhookReceiver = async (secret = WEBHOOK_SECRET, port = 0): Promise<WebhookReceiver> => {
  const webhook = new Webhook(secret);
  const received: ReceivedWebhook[] = [];
  const accepted = new Set<string>();
  const attempts = new Map<string, number>();
  let badSignatures = 0;
  let answer: Answer = () => ({ status: 200 });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const text = await readBody(req);
    let body: ReceivedWebhook['body'];
    try {
      body = webhook.verify(text, req.headers as Record<string, string>) as ReceivedWebhook['body'];
    } catch {
      badSignatures++;
      res.writeHead(400).end('bad signature');
      return;
    }
    const id = String(req.headers['webhook-id']);
    const attempt = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, attempt);
    received.push({ id, attempt, receivedAt: Date.now(), body });
    const { status, headers, delayMs } = answer(id, attempt);
    if (delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (status >= 200 && status < 300) accepted.add(id);
    res.writeHead(status, headers).end();
  };
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/hooks/journey`,
    received,
    get badSignatures() {
      return badSignatures;
    },
    acceptedIds: () => new Set(accepted),
    idsByTrigger: () => {
      const byTrigger = new Map<string, Set<string>>();
      for (const r of received) {
        const key = `${r.body.automation}/${r.body.trigger.eventId}`;
        byTrigger.set(key, (byTrigger.get(key) ?? new Set()).add(r.id));
      }
      return byTrigger;
    },
    answer: (next) => {
      answer = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
