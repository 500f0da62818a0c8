import { createHash } from 'node:crypto';

/**
 * Deterministic, time-ordered event ids (UUID v8, RFC 9562): 48 bits of event time in ms, then a SHA-1
 * of the inputs. The same raw message and rule always give the same id, so redelivery and re-mapping
 * never duplicate; time order keeps the unique index append-only.
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
