import { request } from 'node:http';
import fc from 'fast-check';
import { MAX_EVENT_DEPTH } from '../../application/ingest/ingestEvents.ts';

/**
 * What the collector fuzz suite sends: one arbitrary request per case. A case is a shape;
 * `materialize` turns it into bytes with fresh messageIds, so every valid event of a run is
 * known by id (`ok-…`) and every deliberately invalid one too (`bad-…`).
 */
export type EventShape =
  | { kind: 'valid' }
  | { kind: 'duplicate' }
  | { kind: 'invalid'; value: unknown }
  | { kind: 'hugeString'; bytes: number }
  | { kind: 'hugeArray'; length: number }
  | { kind: 'deep'; depth: number };

export type BodyShape =
  | { kind: 'batch'; events: EventShape[]; batchField: 'array' | 'wrongType'; wrongType: unknown }
  | { kind: 'single'; event: EventShape }
  | { kind: 'overLimitBatch'; count: number }
  | { kind: 'oversized'; bytes: number }
  | { kind: 'notJson'; text: string }
  | { kind: 'truncated'; cut: number }
  | { kind: 'randomBytes'; bytes: Uint8Array }
  | { kind: 'invalidUtf8' }
  | { kind: 'deepBody'; depth: number }
  | { kind: 'notAnObject'; value: unknown };

export type FuzzCase = {
  path: string;
  contentType: string | undefined;
  auth: 'header' | 'body' | 'wrong' | 'none';
  body: BodyShape;
};

const invalidEvent: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.record({ type: fc.constant('track'), event: fc.constant('Clicked') }), // no user
  fc.record({ type: fc.constant('track'), userId: fc.constant({ nested: true }), event: fc.string() }),
  fc.record({ type: fc.constant('track'), userId: fc.constant('u'), event: fc.constant('') }),
  fc.record({
    type: fc.constant('identify'),
    userId: fc.constant('u'),
    timestamp: fc.oneof(fc.integer(), fc.constant('yesterday')),
  }),
  fc.record({ type: fc.constantFrom('teleport', 42, null), userId: fc.constant('u') }),
  fc.record({ type: fc.constant('group'), userId: fc.constant('u') }), // no groupId
  fc.record({ type: fc.constant('alias'), previousId: fc.constant('a') }), // no userId
  fc.record({
    type: fc.constant('track'),
    userId: fc.string({ minLength: 256, maxLength: 300 }),
    event: fc.constant('E'),
  }),
  fc.record({
    type: fc.constant('track'),
    userId: fc.constant('u'),
    event: fc.constant('E'),
    properties: fc.array(fc.integer()),
  }),
);

const eventShape: fc.Arbitrary<EventShape> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'valid' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'duplicate' as const }) },
  { weight: 3, arbitrary: invalidEvent.map((value) => ({ kind: 'invalid' as const, value })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 33_000, max: 120_000 }).map((bytes) => ({ kind: 'hugeString' as const, bytes })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 8_000, max: 40_000 }).map((length) => ({ kind: 'hugeArray' as const, length })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 80, max: 100_000 }))
      .map((depth) => ({ kind: 'deep' as const, depth })),
  },
);

const bodyShape: fc.Arbitrary<BodyShape> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      events: fc.array(eventShape, { minLength: 0, maxLength: 8 }),
      batchField: fc.constantFrom('array' as const, 'array' as const, 'wrongType' as const),
      wrongType: fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.object()),
    }),
  },
  { weight: 3, arbitrary: eventShape.map((event) => ({ kind: 'single' as const, event })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 2_501, max: 3_000 }).map((count) => ({ kind: 'overLimitBatch' as const, count })),
  },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 513_000, max: 2_000_000 }).map((bytes) => ({ kind: 'oversized' as const, bytes })),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ kind: 'notJson' as const, text })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 60 }).map((cut) => ({ kind: 'truncated' as const, cut })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'randomBytes' as const, bytes })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'invalidUtf8' as const }) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1_000, max: 240_000 }).map((depth) => ({ kind: 'deepBody' as const, depth })),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(fc.array(fc.anything(), { maxLength: 5 }), fc.integer(), fc.string(), fc.constant(null), fc.boolean())
      .map((value) => ({ kind: 'notAnObject' as const, value })),
  },
);

const BATCH_PATHS = ['/v1/batch', '/v1/b', '/v1/import'];
const SINGLE_PATHS = ['/v1/track', '/v1/t'];

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    body: bodyShape,
    contentType: fc.oneof(
      { weight: 8, arbitrary: fc.constant('application/json') },
      { weight: 2, arbitrary: fc.constant('text/plain') },
      {
        weight: 3,
        arbitrary: fc.constantFrom(
          undefined,
          'application/xml',
          'multipart/form-data; boundary=x',
          'application/x-www-form-urlencoded',
          'application/json; charset=utf-8',
          'APPLICATION/JSON',
          'text/plain; charset=utf-8',
          'application/octet-stream',
          'image/png',
        ),
      },
    ),
    auth: fc.oneof(
      { weight: 6, arbitrary: fc.constant('header' as const) },
      { weight: 2, arbitrary: fc.constant('body' as const) },
      { weight: 1, arbitrary: fc.constantFrom('wrong' as const, 'none' as const) },
    ),
    pathIndex: fc.nat(),
  })
  .map(({ body, contentType, auth, pathIndex }) => {
    const paths = body.kind === 'single' ? SINGLE_PATHS : BATCH_PATHS;
    return { body, contentType, auth, path: paths[pathIndex % paths.length] ?? '/v1/batch' };
  });

export type Materialized = {
  bytes: Buffer;
  /** the valid events of this request, by messageId, each at its index in the request */
  valid: { index: number; messageId: string; event: Record<string, unknown> }[];
  /** messageIds given to deliberately invalid events: none may ever reach the raw log */
  invalidIds: string[];
};

/** the event (1) and properties (2) hold the blob: a blob this deep keeps the event within MAX_EVENT_DEPTH */
const MAX_VALID_DEPTH = MAX_EVENT_DEPTH - 2;
const deepMark = (depth: number): string => `__deep_${depth}__`;
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Turns a case into bytes; `nextId` names fresh valid events, `previous` supplies ids to repeat. */
export const materialize = (
  fuzz: FuzzCase,
  writeKey: string,
  nextId: () => string,
  previous: () => Record<string, unknown> | undefined,
): Materialized => {
  const valid: Materialized['valid'] = [];
  const invalidIds: string[] = [];
  const withKey = (body: Record<string, unknown>) => (fuzz.auth === 'body' ? { ...body, writeKey } : body);
  const eventOf = (shape: EventShape, index: number): unknown => {
    const base = () => ({ type: 'track', userId: `u-${index}`, event: 'Fuzzed' });
    switch (shape.kind) {
      case 'valid': {
        const event = { ...base(), messageId: nextId(), properties: { index } };
        valid.push({ index, messageId: event.messageId, event });
        return event;
      }
      case 'duplicate': {
        const event = previous() ?? { ...base(), messageId: nextId() };
        valid.push({ index, messageId: String(event.messageId), event });
        return event;
      }
      case 'invalid': {
        if (typeof shape.value !== 'object' || shape.value === null || Array.isArray(shape.value)) return shape.value;
        const id = `bad-${nextId()}`;
        invalidIds.push(id);
        return { ...(shape.value as Record<string, unknown>), messageId: id };
      }
      case 'hugeString':
      case 'hugeArray': {
        const id = `bad-${nextId()}`;
        invalidIds.push(id);
        const blob =
          shape.kind === 'hugeString' ? 'x'.repeat(shape.bytes) : Array.from({ length: shape.length }, (_, i) => i);
        return { ...base(), messageId: id, properties: { blob } };
      }
      case 'deep': {
        // written as text (see `json`): JSON.stringify itself cannot go this deep
        const probe = { ...base(), messageId: nextId(), properties: { blob: deepMark(shape.depth) } };
        const bytes = Buffer.byteLength(JSON.stringify(probe)) - deepMark(shape.depth).length - 2 + shape.depth * 2;
        // deep but small is a valid event; only size and serializability make it invalid
        if (bytes <= 32 * 1024 && shape.depth <= MAX_VALID_DEPTH) {
          valid.push({ index, messageId: probe.messageId, event: probe });
        } else {
          probe.messageId = `bad-${probe.messageId}`;
          invalidIds.push(probe.messageId);
        }
        return probe;
      }
    }
  };
  const json = (value: unknown) =>
    Buffer.from(
      (JSON.stringify(value) ?? 'null').replace(/"__deep_(\d+)__"/g, (_, depth: string) => nested(Number(depth))),
      'utf8',
    );
  const body = fuzz.body;
  switch (body.kind) {
    case 'batch': {
      const events = body.events.map(eventOf);
      if (body.batchField === 'wrongType') {
        valid.length = 0;
        invalidIds.length = 0;
        return { bytes: json(withKey({ batch: body.wrongType })), valid, invalidIds };
      }
      return { bytes: json(withKey({ batch: events })), valid, invalidIds };
    }
    case 'single': {
      const event = eventOf(body.event, 0);
      const object = typeof event === 'object' && event !== null && !Array.isArray(event);
      if (!object) return { bytes: json(event), valid, invalidIds };
      return { bytes: json(withKey(event as Record<string, unknown>)), valid, invalidIds };
    }
    case 'overLimitBatch': {
      // valid events, but too many: the request is refused as a whole, so none may land
      const events = Array.from({ length: body.count }, (_, i) => ({
        type: 'track',
        userId: 'u',
        event: 'E',
        messageId: `bad-${nextId()}-${i}`,
      }));
      invalidIds.push(...events.map((e) => e.messageId));
      return { bytes: json(withKey({ batch: events })), valid, invalidIds };
    }
    case 'oversized': {
      const id = `bad-${nextId()}`;
      invalidIds.push(id);
      const event = {
        type: 'track',
        userId: 'u',
        event: 'E',
        messageId: id,
        properties: { pad: 'p'.repeat(body.bytes) },
      };
      return { bytes: json(withKey({ batch: [event] })), valid, invalidIds };
    }
    case 'notJson':
      return { bytes: Buffer.from(body.text, 'utf8'), valid, invalidIds };
    case 'truncated': {
      const id = `bad-${nextId()}`;
      invalidIds.push(id);
      const text = JSON.stringify(withKey({ batch: [{ type: 'track', userId: 'u', event: 'E', messageId: id }] }));
      return { bytes: Buffer.from(text.slice(0, Math.max(1, text.length - body.cut)), 'utf8'), valid, invalidIds };
    }
    case 'randomBytes':
      return { bytes: Buffer.from(body.bytes), valid, invalidIds };
    case 'invalidUtf8': {
      // a lone continuation byte and a truncated sequence inside a string: read as U+FFFD
      const event = { type: 'track', userId: 'u-utf8', event: 'E', messageId: nextId(), properties: { s: 'AB' } };
      valid.push({ index: 0, messageId: event.messageId, event });
      const text = JSON.stringify(withKey({ batch: [event] }));
      const at = text.indexOf('AB') + 1;
      const bytes = Buffer.concat([
        Buffer.from(text.slice(0, at), 'utf8'),
        Buffer.from([0x80, 0xc3, 0xff]),
        Buffer.from(text.slice(at), 'utf8'),
      ]);
      return { bytes, valid, invalidIds };
    }
    case 'deepBody':
      return { bytes: Buffer.from(nested(body.depth), 'utf8'), valid, invalidIds };
    case 'notAnObject':
      return { bytes: json(body.value), valid, invalidIds };
  }
};

export type RawAnswer = { status: number; headers: Record<string, string | string[] | undefined>; text: string };

/** A POST with exactly these bytes and headers (fetch would add or fix some). */
export const rawPost = (
  base: string,
  path: string,
  bytes: Buffer,
  headers: Record<string, string>,
): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const url = new URL(path, base);
    let answered = false;
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(bytes.length), connection: 'close' } },
      (res) => {
        answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    // the server may answer (413) and close before the whole body is written
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.end(bytes);
  });
