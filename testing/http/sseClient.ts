import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { waitUntil } from '../waitUntil.ts';

export type SseMessage = { readonly id?: string; readonly event?: string; readonly data: string };

export type SseClient = {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** every message so far, in order */
  readonly messages: SseMessage[];
  /** comment lines (`: …`), without the colon */
  readonly comments: string[];
  /** the body of a non-200 answer */
  readonly body: () => string;
  /** resolves when the server ends the stream (or the socket closes) */
  readonly ended: Promise<void>;
  /** waits until `count` messages in all have arrived */
  waitFor(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  /** stops reading: TCP flow control then holds the server back */
  pause(): void;
  resume(): void;
  /** drops the connection, as a client that goes away mid-stream */
  close(): void;
};

export type SseOptions = {
  readonly token?: string;
  readonly lastEventId?: string;
  readonly accept?: string;
  /** drops the connection as soon as this many messages have arrived, ignoring any bytes after them */
  readonly closeAfter?: number;
};

/**
 * Test support: a Server-Sent Events client on node:http that parses frames as the
 * EventSource spec does (`id`, `event`, `data` lines, blank line ends a message).
 */
export const openSse = (url: string, options: SseOptions = {}): Promise<SseClient> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: options.accept ?? 'text/event-stream' };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.lastEventId !== undefined) headers['last-event-id'] = options.lastEventId;
    const req: ClientRequest = request(url, { headers });
    req.once('error', reject);
    req.once('response', (res) => {
      const messages: SseMessage[] = [];
      const comments: string[] = [];
      let raw = '';
      let pending = '';
      let current: { id?: string; event?: string; data: string[] } = { data: [] };
      const line = (text: string) => {
        if (options.closeAfter !== undefined && messages.length >= options.closeAfter) return;
        if (text === '') {
          if (current.data.length > 0)
            messages.push({
              ...(current.id === undefined ? {} : { id: current.id }),
              ...(current.event === undefined ? {} : { event: current.event }),
              data: current.data.join('\n'),
            });
          current = { data: [] };
          if (messages.length === options.closeAfter) req.destroy();
          return;
        }
        if (text.startsWith(':')) {
          comments.push(text.slice(1).trim());
          return;
        }
        const colon = text.indexOf(':');
        const field = colon < 0 ? text : text.slice(0, colon);
        const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') current.id = value;
        else if (field === 'event') current.event = value;
        else if (field === 'data') current.data.push(value);
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        raw += res.statusCode === 200 ? '' : chunk;
        pending += chunk;
        const lines = pending.split(/\r\n|\r|\n/);
        pending = lines.pop() ?? '';
        for (const l of lines) line(l);
      });
      res.on('error', () => {});
      const ended = new Promise<void>((done) => {
        res.once('end', () => done());
        res.once('close', () => done());
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        messages,
        comments,
        body: () => raw,
        ended,
        waitFor: async (count, timeoutMs = 10_000) => {
          await waitUntil(`${count} SSE messages`, () => messages.length >= count, {
            timeoutMs,
            lastSeen: () => ({ received: messages.length, last: messages.at(-1) }),
          });
          return messages.slice(0, count);
        },
        pause: () => res.pause(),
        resume: () => res.resume(),
        close: () => req.destroy(),
      });
    });
    req.end();
  });
