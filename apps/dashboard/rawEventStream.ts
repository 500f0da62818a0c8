import type { RawEventView } from './apiClient.ts';

export type StreamState = 'connecting' | 'live' | 'retrying';

/** one SSE frame's fields (the spec's subset this API sends) */
type Frame = { id?: string; event?: string; data: string[] };

const RETRY_MS = 1_000;

/**
 * Follows GET /api/raw-events/stream. Not EventSource: it cannot send the bearer token. fetch reads
 * the stream instead; after a dropped connection it reconnects with Last-Event-ID, so nothing is
 * missed. Returns stop.
 */
export const followRawEvents = (
  token: string,
  query: Record<string, string>,
  onEvent: (event: RawEventView) => void,
  onState: (state: StreamState) => void,
): (() => void) => {
  const controller = new AbortController();
  let lastId: string | undefined;
  const search = new URLSearchParams(query).toString();

  const readFrames = async (body: ReadableStream<Uint8Array>) => {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let frame: Frame = { data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (frame.event === 'raw-event' && frame.data.length > 0) onEvent(JSON.parse(frame.data.join('\n')));
          if (frame.id !== undefined) lastId = frame.id;
          frame = { data: [] };
        } else if (line.startsWith('data:')) frame.data.push(line.slice(5).replace(/^ /, ''));
        else if (line.startsWith('id:')) frame.id = line.slice(3).trim();
        else if (line.startsWith('event:')) frame.event = line.slice(6).trim();
      }
    }
  };

  const run = async () => {
    while (!controller.signal.aborted) {
      onState(lastId === undefined ? 'connecting' : 'retrying');
      try {
        const response = await fetch(`/api/raw-events/stream${search === '' ? '' : `?${search}`}`, {
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'text/event-stream',
            ...(lastId === undefined ? {} : { 'last-event-id': lastId }),
          },
          signal: controller.signal,
        });
        if (response.ok && response.body !== null) {
          onState('live');
          await readFrames(response.body);
        }
      } catch {
        // dropped or refused: try again below, unless stopped
      }
      if (!controller.signal.aborted) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  };
  void run();
  return () => controller.abort();
};
