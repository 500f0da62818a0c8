import http from 'node:http';
import https from 'node:https';

/** how long a kept-alive socket may sit idle when the server announces no timeout */
const IDLE_SOCKET_MS = 60_000;

/**
 * A `fetch` for string bodies on node:http keep-alive agents: Node's built-in fetch cost the
 * alerter's Slack calls and the automator's webhooks too much CPU per call. Any other body
 * (uploads) goes to the built-in fetch; an aborted `signal` fails the call.
 */
export const keepAliveFetch = (options: { readonly maxSockets?: number } = {}): typeof fetch => {
  // an idle socket is closed a second before the server's announced `Keep-Alive: timeout`, or after
  // a minute: Node heeds that hint only when the agent has a timeout of its own, and without it a
  // socket the server was closing was sometimes reused (ECONNRESET, and the alert retried a second later)
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64, timeout: IDLE_SOCKET_MS };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  return (input, init) => {
    const body = init?.body;
    if ((body !== undefined && body !== null && typeof body !== 'string') || input instanceof Request)
      return globalThis.fetch(input, init);
    const url = new URL(String(input));
    const secure = url.protocol === 'https:';
    const headers = new Headers(init?.headers);
    if (body !== undefined && body !== null) headers.set('content-length', String(Buffer.byteLength(body)));
    return new Promise<Response>((resolve, reject) => {
      const request = (secure ? https : http).request(
        url,
        {
          method: init?.method ?? 'GET',
          headers: Object.fromEntries(headers),
          agent: secure ? agents.https : agents.http,
          ...(init?.signal ? { signal: init.signal } : {}),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const status = response.statusCode ?? 500;
            const pairs: [string, string][] = [];
            for (let i = 0; i + 1 < response.rawHeaders.length; i += 2)
              pairs.push([response.rawHeaders[i] ?? '', response.rawHeaders[i + 1] ?? '']);
            const noBody = status === 204 || status === 304 || init?.method === 'HEAD';
            resolve(
              new BufferedResponse(noBody ? Buffer.alloc(0) : Buffer.concat(chunks), {
                status,
                statusText: response.statusMessage ?? '',
                headers: pairs,
              }),
            );
          });
        },
      );
      request.on('error', reject);
      request.end(body ?? undefined);
    });
  };
};

/**
 * A Response over a body already read: Node 20's Response builds a web stream for any body it is
 * given, which was 7 % of the alerter's CPU time at 1,000 posts/s. The reading methods answer
 * from the bytes, as often as asked; `body` builds its stream only when first read.
 */
class BufferedResponse extends Response {
  private stream: Response['body'] | undefined;

  constructor(
    private readonly content: Buffer,
    init: ResponseInit,
  ) {
    super(null, init);
  }

  override get body(): Response['body'] {
    this.stream ??= this.content.length === 0 ? null : new Blob([new Uint8Array(this.content)]).stream();
    return this.stream;
  }

  override async text(): Promise<string> {
    return this.content.toString('utf8');
  }

  override async json(): Promise<unknown> {
    return JSON.parse(this.content.toString('utf8'));
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.content).buffer;
  }

  override async blob(): Promise<Blob> {
    return new Blob([new Uint8Array(this.content)]);
  }
}
