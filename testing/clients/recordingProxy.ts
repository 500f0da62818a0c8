import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export type SeenRequest = {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  status?: number;
};

export type RecordingProxy = { readonly url: string; readonly seen: SeenRequest[]; close(): Promise<void> };

/**
 * Passes requests through to `target` unchanged and notes how each was sent and answered, so
 * a test can say what a client put on the wire (paths, gzip) without touching the client.
 */
export const startRecordingProxy = async (target: string): Promise<RecordingProxy> => {
  const seen: SeenRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const entry: SeenRequest = {
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      contentType: incoming.headers['content-type'],
      contentEncoding: incoming.headers['content-encoding'],
    };
    seen.push(entry);
    const upstream = request(
      new URL(entry.path, target),
      { method: entry.method, headers: incoming.headers },
      (answer) => {
        entry.status = answer.statusCode;
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', (error) => outgoing.writeHead(502).end(`proxy: ${error.message}`));
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
