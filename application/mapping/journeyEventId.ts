import { createHash } from 'node:crypto';

/**
 * Deterministic, time-ordered event ids (UUID version 8, RFC 9562): the first 48 bits are the
 * event time in milliseconds, the remaining 74 free bits a SHA-1 of the inputs.
 *
 * Why not UUID v5 as first planned: a v5 id is deterministic too, but random-looking, so
 * every append touches a random page of the unique index; PERF-NOTES measured 26k/s with
 * random ids against 40k/s with time-ordered ones. v8 keeps the property that matters —
 * the same raw message and rule always give the same id, so redelivery and re-mapping
 * never duplicate — and keeps the index append-only.
 */
export const journeyEventId = (occurredAtMs: number, ...parts: readonly string[]): string => {
  const hash = createHash('sha1').update(parts.join('\u0000')).digest();
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Math.max(0, Math.min(occurredAtMs, 2 ** 48 - 1)), 0, 6);
  hash.copy(bytes, 6, 0, 10);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80; // version 8
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
