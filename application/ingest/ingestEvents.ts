import { ValidationError, type ValidationIssue } from '../../domain/errors/journeyError.ts';
import { requestStamper } from '../../domain/raw/ingestRawEvent.ts';
import { type IngestedEvent, type RawEvent, safeParseRawEvent } from '../../domain/raw/rawEvent.ts';
import type { Clock } from '../ports/clock.ts';
import type { RawLog } from '../ports/rawLog/rawLog.ts';
import { jsonBounds } from './jsonBounds.ts';
import { readableZodErrors, readableZodIssues } from './readableZodIssues.ts';

/** Segment's limits, so clients written against Segment never meet a surprise here. */
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_EVENTS_PER_REQUEST = 2_500;
/**
 * Levels of objects and arrays in one event, the event itself being level 1. Not Segment's;
 * JSON.stringify, structuredClone and the mapper recurse, and a few thousand levels (a 10 KB
 * body) overflow their stack, so depth is refused up front like size.
 */
export const MAX_EVENT_DEPTH = 64;

export type RejectedEvent = {
  /** position of the event in the request */
  index: number;
  messageId?: string;
  /** paths are relative to the event (`userId`, `properties.plan`); `''` is the event itself */
  errors: ValidationIssue[];
};

export type IngestResult = { accepted: number; duplicates: number; rejected: RejectedEvent[] };

export type IngestInput = {
  events: readonly unknown[];
  /** the name of the write key the events came in with (never the secret) */
  source: string;
};

type Checked = { ok: true; event: RawEvent } | { ok: false; errors: ValidationIssue[] };

/**
 * The collector's use case: validate, stamp and publish one request's events. Valid events
 * go to the raw log in one publish (so a request is stored, or not, as a whole); invalid ones
 * are dead-lettered with their reason, so bad input never vanishes and never blocks good input.
 */
export class IngestEvents {
  constructor(
    private readonly rawLog: RawLog,
    private readonly clock: Clock,
    private readonly newId: () => string,
  ) {}

  async execute(input: IngestInput): Promise<IngestResult> {
    const { events, source } = input;
    if (events.length > MAX_EVENTS_PER_REQUEST) {
      throw new ValidationError(
        `the request has ${events.length} events; the limit is ${MAX_EVENTS_PER_REQUEST} per request: split it into smaller batches`,
        [{ path: 'batch', message: `must hold at most ${MAX_EVENTS_PER_REQUEST} events` }],
      );
    }
    const stamp = requestStamper(this.clock.now(), source);
    const valid: IngestedEvent[] = [];
    const rejected: RejectedEvent[] = [];
    const seen = new Set<string>();
    let duplicates = 0;

    events.forEach((raw, index) => {
      const checked = check(raw);
      if (!checked.ok) {
        const messageId = messageIdOf(raw);
        rejected.push({ index, ...(messageId === undefined ? {} : { messageId }), errors: checked.errors });
        return;
      }
      const { event } = checked;
      const stamped = stamp(event, event.messageId ?? this.newId());
      // a retrying SDK may repeat an event inside one batch; the first copy wins
      if (seen.has(stamped.messageId)) {
        duplicates += 1;
        return;
      }
      seen.add(stamped.messageId);
      valid.push(stamped);
    });

    // Dead letters first: if that fails nothing was published, so the client's retry is clean.
    if (rejected.length > 0) {
      await this.rawLog.reject(
        rejected.map((r) => ({
          stage: 'collector' as const,
          reason: `${describeErrors(r.errors)} (source ${source}, request index ${r.index})`,
          payload: storable(events[r.index]),
        })),
      );
    }
    const receipt = valid.length > 0 ? await this.rawLog.publish(valid) : { stored: 0, duplicates: 0 };
    return { accepted: receipt.stored, duplicates: duplicates + receipt.duplicates, rejected };
  }
}

const check = (raw: unknown): Checked => {
  const bounds = jsonBounds(raw, MAX_EVENT_DEPTH);
  if (bounds.tooDeep) {
    return {
      ok: false,
      errors: [
        {
          path: '',
          message: `is nested more than ${MAX_EVENT_DEPTH} levels deep; the limit is ${MAX_EVENT_DEPTH}: flatten properties, traits or context`,
        },
      ],
    };
  }
  // only an event that might be over the limit is serialized to measure it
  if (bounds.maxBytes === undefined || bounds.maxBytes > MAX_EVENT_BYTES) {
    const bytes = serializedBytes(raw);
    if (bytes === undefined) return { ok: false, errors: [{ path: '', message: 'is not serializable as JSON' }] };
    if (bytes > MAX_EVENT_BYTES) {
      return {
        ok: false,
        errors: [
          {
            path: '',
            message: `is ${bytes} bytes as JSON; the limit is ${MAX_EVENT_BYTES} bytes (32 KB) per event: send less in properties, traits or context`,
          },
        ],
      };
    }
  }
  // Without options first: zod copies an options object into its context with a spread plus
  // a key, which costs V8 more than the validation itself (see domain/raw/withFields.ts). The error map
  // only words the issues, so a failing event is parsed again with it for the client's answer.
  const parsed = safeParseRawEvent(raw);
  if (parsed.success) return { ok: true, event: parsed.data };
  const worded = safeParseRawEvent(raw, { error: readableZodErrors });
  return worded.success ? { ok: true, event: worded.data } : { ok: false, errors: readableZodIssues(worded.error) };
};

const serializedBytes = (raw: unknown): number | undefined => {
  try {
    const json = JSON.stringify(raw);
    return json === undefined ? undefined : Buffer.byteLength(json, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * What a dead letter keeps of a refused event: the event itself, unless it is too deep to
 * store, then its messageId and type and a note; a dead letter must never fail to be written.
 */
const storable = (raw: unknown): unknown => {
  if (!jsonBounds(raw, MAX_EVENT_DEPTH).tooDeep) return raw;
  const { messageId, type } = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  return {
    ...(typeof messageId === 'string' ? { messageId: messageId.slice(0, 255) } : {}),
    ...(typeof type === 'string' ? { type: type.slice(0, 50) } : {}),
    notKept: `the event was nested more than ${MAX_EVENT_DEPTH} levels deep, so only its messageId and type are kept`,
  };
};

/** Echoed back so a client can tell which of its events was refused, even a malformed one. */
const messageIdOf = (raw: unknown): string | undefined => {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { messageId?: unknown }).messageId;
  return typeof id === 'string' && id.length > 0 && id.length <= 255 ? id : undefined;
};

const describeErrors = (errors: readonly ValidationIssue[]): string =>
  errors.map((e) => (e.path === '' ? `event ${e.message}` : `${e.path} ${e.message}`)).join('; ');
