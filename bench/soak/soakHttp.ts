import { Agent, request } from 'node:http';

/** keep-alive sockets: a connection per request would cost the load generator more than Journey */
const agent = new Agent({ keepAlive: true, maxSockets: 32 });

export type HttpAnswer = { readonly status: number; readonly body: string };

/** one HTTP request; rejects on a network error (refused, reset) or after `timeoutMs` */
export const httpRequest = (
  url: string,
  options: {
    readonly method?: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    readonly timeoutMs?: number;
  } = {},
): Promise<HttpAnswer> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 30_000, () => req.destroy(new Error(`timed out: ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });

/** Basic auth of a write key, as the Segment clients send it */
export const writeKeyHeader = (writeKey: string): string => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
