import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Test support: a local HTTP server speaking the part of Slack's Web API Journey calls
 * (chat.postMessage, conversations.*, auth.test, the file upload flow), driven by the real WebClient
 * through `slackApiUrl`. It records requests and can answer 429, 500, a Slack error, or hang.
 */
export type FakeSlackFile = {
  readonly id: string;
  readonly filename: string;
  readonly title: string;
  /** the length announced to files.getUploadURLExternal */
  readonly length: number;
  /** what arrived at the upload URL */
  readonly bytes: Buffer;
};

export type FakeSlackMessage = {
  readonly channel: string;
  readonly ts: string;
  readonly text: string;
  readonly blocks: unknown;
  readonly threadTs?: string;
  readonly metadata?: { event_type: string; event_payload: { key?: string } };
  /** files shared with this message by files.completeUploadExternal */
  readonly files?: readonly FakeSlackFile[];
};

export type FakeFault = { status: 429; retryAfterSeconds: number } | { status: 500 } | { error: string } | 'hang';

export type FakeSlack = {
  /** for SLACK_API_URL */
  readonly apiUrl: string;
  /** messages posted, in order */
  readonly messages: FakeSlackMessage[];
  /** bytes received at upload URLs, by file id (completed or not) */
  readonly uploads: Map<string, { filename: string; length: number; bytes?: Buffer }>;
  /** every call with the time it arrived (epoch ms, sub-millisecond) */
  readonly calls: { method: string; at: number; body: Record<string, unknown> }[];
  /** the next `times` calls of `method` get `fault` */
  failNext(method: string, fault: FakeFault, times?: number): void;
  /** every call gets `fault` until `outage(undefined)`: Slack down for a while */
  outage(fault: FakeFault | undefined): void;
  /** calls of `method` wait, unanswered, until the returned release is called: a caller held at a known step */
  hold(method: string): () => void;
  /** called after a chat.postMessage was stored and answered */
  onPosted: ((message: FakeSlackMessage) => void) | undefined;
  /**
   * called after a chat.postMessage was stored, before its answer is written: a test that
   * kills the caller here knows it cannot have read the answer, however the machine schedules
   */
  onStored: ((message: FakeSlackMessage) => void) | undefined;
  keysPosted(): string[];
  close(): Promise<void>;
};

const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('json'))
    return raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  const body: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    // the WebClient form-encodes nested values as JSON
    try {
      body[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
    } catch {
      body[k] = v;
    }
  }
  return body;
};

const channelIdOf = (channel: string): string =>
  /^[CGD][A-Z0-9]{2,}$/.test(channel)
    ? channel
    : `C${Buffer.from(channel.replace(/^#/, '')).toString('hex').toUpperCase().slice(0, 16)}`;

export const startFakeSlack = async (
  options: { knownChannels?: readonly string[] /** default: a free one */; port?: number } = {},
): Promise<FakeSlack> => {
  const known = new Map(
    (options.knownChannels ?? ['#journey-alerts']).map((c) => [channelIdOf(c), c.replace(/^#/, '')]),
  );
  const messages: FakeSlackMessage[] = [];
  const calls: FakeSlack['calls'] = [];
  const faults: { method: string; fault: FakeFault }[] = [];
  const hung = new Set<ServerResponse>();
  const uploads: FakeSlack['uploads'] = new Map();
  const fileShares = new Map<string, { channel: string; ts: string }>();
  let seq = 0;
  let baseUrl = '';
  const nextTs = () => {
    seq++;
    return `${Math.floor(Date.now() / 1000)}.${String(seq).padStart(6, '0')}`;
  };
  const fileView = (id: string, title: string) => {
    const share = fileShares.get(id);
    return {
      id,
      title,
      name: uploads.get(id)?.filename,
      shares: share ? { public: { [share.channel]: [{ ts: share.ts }] } } : {},
    };
  };
  let down: FakeFault | undefined;
  const holds = new Map<string, Promise<void>>();

  const reply = (res: ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = (method: string, body: Record<string, unknown>, res: ServerResponse): FakeSlackMessage | undefined => {
    switch (method) {
      case 'auth.test':
        reply(res, { ok: true, user: 'journey-bot', user_id: 'U0BOT', team: 'Fake Team', team_id: 'T0FAKE' });
        return undefined;
      case 'chat.postMessage': {
        const channel = channelIdOf(String(body.channel ?? ''));
        if (!known.has(channel)) {
          reply(res, { ok: false, error: 'channel_not_found' });
          return undefined;
        }
        const message: FakeSlackMessage = {
          channel,
          ts: nextTs(),
          text: String(body.text ?? ''),
          blocks: body.blocks,
          ...(body.thread_ts ? { threadTs: String(body.thread_ts) } : {}),
          ...(body.metadata ? { metadata: body.metadata as FakeSlackMessage['metadata'] & object } : {}),
        };
        messages.push(message);
        fake.onStored?.(message);
        reply(res, { ok: true, channel, ts: message.ts, message: { text: message.text } });
        return message;
      }
      case 'conversations.history':
      case 'conversations.replies': {
        const channel = String(body.channel ?? '');
        if (!known.has(channel)) {
          reply(res, { ok: false, error: 'channel_not_found' });
          return undefined;
        }
        const oldest = Number(body.oldest ?? 0);
        const withMetadata = String(body.include_all_metadata) === 'true';
        const thread = method === 'conversations.replies' ? String(body.ts) : undefined;
        const found = messages
          .filter((m) => m.channel === channel && Number(m.ts) >= oldest)
          .filter((m) => (thread ? m.ts === thread || m.threadTs === thread : m.threadTs === undefined))
          .map((m) => ({
            ts: m.ts,
            text: m.text,
            ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
            // as Slack lists a file share's files in history
            ...(m.files ? { files: m.files.map((f) => ({ id: f.id, name: f.filename, title: f.title })) } : {}),
          }));
        reply(res, { ok: true, messages: thread ? found : found.reverse(), has_more: false });
        return undefined;
      }
      case 'files.getUploadURLExternal': {
        const filename = String(body.filename ?? '');
        const length = Number(body.length);
        if (filename === '' || !Number.isInteger(length) || length <= 0) {
          reply(res, { ok: false, error: 'invalid_arguments' });
          return undefined;
        }
        seq++;
        const id = `F${String(seq).padStart(8, '0')}`;
        uploads.set(id, { filename, length });
        reply(res, { ok: true, upload_url: `${baseUrl}/upload/${id}`, file_id: id });
        return undefined;
      }
      case 'files.completeUploadExternal': {
        const requested = Array.isArray(body.files) ? (body.files as { id?: string; title?: string }[]) : [];
        const files: FakeSlackFile[] = [];
        for (const f of requested) {
          const upload = uploads.get(String(f.id));
          // Slack refuses a file whose bytes did not arrive, or arrived short
          if (!upload?.bytes || upload.bytes.length !== upload.length) {
            reply(res, { ok: false, error: 'file_upload_incomplete' });
            return undefined;
          }
          files.push({
            id: String(f.id),
            filename: upload.filename,
            title: String(f.title ?? upload.filename),
            length: upload.length,
            bytes: upload.bytes,
          });
        }
        if (files.length === 0) {
          reply(res, { ok: false, error: 'invalid_arguments' });
          return undefined;
        }
        if (body.channel_id === undefined) {
          reply(res, { ok: true, files: files.map((f) => fileView(f.id, f.title)) });
          return undefined;
        }
        const channel = String(body.channel_id);
        if (!known.has(channel)) {
          reply(res, { ok: false, error: 'channel_not_found' });
          return undefined;
        }
        const message: FakeSlackMessage = {
          channel,
          ts: nextTs(),
          text: String(body.initial_comment ?? ''),
          blocks: body.blocks,
          files,
          ...(body.thread_ts ? { threadTs: String(body.thread_ts) } : {}),
        };
        messages.push(message);
        for (const f of files) fileShares.set(f.id, { channel, ts: message.ts });
        reply(res, { ok: true, files: files.map((f) => fileView(f.id, f.title)) });
        return message;
      }
      case 'files.info': {
        const id = String(body.file ?? '');
        if (!uploads.has(id)) {
          reply(res, { ok: false, error: 'file_not_found' });
          return undefined;
        }
        reply(res, { ok: true, file: fileView(id, uploads.get(id)?.filename ?? id) });
        return undefined;
      }
      case 'conversations.list':
        reply(res, { ok: true, channels: [...known].map(([id, name]) => ({ id, name })) });
        return undefined;
      default:
        reply(res, { ok: false, error: 'unknown_method' });
        return undefined;
    }
  };

  const server = createServer(async (req, res) => {
    const upload = /^\/upload\/(F\d+)$/.exec(req.url ?? '');
    if (upload) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const entry = uploads.get(upload[1] ?? '');
      calls.push({ method: 'upload', at: performance.timeOrigin + performance.now(), body: { fileId: upload[1] } });
      if (!entry || req.method !== 'POST') {
        res.writeHead(404).end('no such upload');
        return;
      }
      entry.bytes = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${entry.bytes.length}`);
      return;
    }
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const body = await readBody(req);
    calls.push({ method, at: performance.timeOrigin + performance.now(), body });
    await holds.get(method);
    const i = faults.findIndex((f) => f.method === method);
    const fault = down ?? (i >= 0 ? faults.splice(i, 1)[0]?.fault : undefined);
    if (fault === 'hang') {
      hung.add(res);
      return;
    }
    if (fault && 'status' in fault) {
      if (fault.status === 429)
        reply(res, { ok: false, error: 'ratelimited' }, 429, { 'retry-after': String(fault.retryAfterSeconds) });
      else reply(res, { ok: false, error: 'internal' }, 500);
      return;
    }
    if (fault) {
      reply(res, { ok: false, error: fault.error });
      return;
    }
    const posted = handle(method, body, res);
    if (posted) fake.onPosted?.(posted);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  const fake: FakeSlack = {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    messages,
    uploads,
    calls,
    onPosted: undefined,
    onStored: undefined,
    failNext(method, fault, times = 1) {
      for (let n = 0; n < times; n++) faults.push({ method, fault });
    },
    outage(fault) {
      down = fault;
    },
    hold(method) {
      let release = () => {};
      holds.set(
        method,
        new Promise<void>((resolve) => {
          release = () => {
            holds.delete(method);
            resolve();
          };
        }),
      );
      return release;
    },
    keysPosted: () => messages.map((m) => m.metadata?.event_payload.key ?? '(no key)'),
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
};
