import * as crypto from 'node:crypto';

// crypto.hash (Node 20.12+) skips the Hash object createHash builds per call; the ids are the same
const sha1Hex: (input: string) => string =
  typeof crypto.hash === 'function'
    ? (input) => crypto.hash('sha1', input)
    : (input) => crypto.createHash('sha1').update(input).digest('hex');

const VARIANT = ['8', '9', 'a', 'b'] as const;

/**
 * Deterministic, time-ordered event ids (UUID v8, RFC 9562): 48 bits of event time in ms, then a SHA-1
 * of the inputs. The same raw message and rule always give the same id, so redelivery and re-mapping
 * never duplicate; time order keeps the unique index append-only.
 */
export const journeyEventId = (occurredAtMs: number, ...parts: readonly string[]): string => {
  const ms = Number.isFinite(occurredAtMs) ? Math.trunc(Math.max(0, Math.min(occurredAtMs, 2 ** 48 - 1))) : 0;
  const time = ms.toString(16).padStart(12, '0');
  const hash = sha1Hex(parts.join('\u0000'));
  // the hash's first 10 bytes, with version 8 in the high nibble of byte 6 and the RFC 9562
  // variant (binary 10) in the top bits of byte 8
  const variant = VARIANT[Number.parseInt(hash.charAt(4), 16) & 0x3] ?? '8';
  return `${time.slice(0, 8)}-${time.slice(8)}-8${hash.slice(1, 4)}-${variant}${hash.slice(5, 8)}-${hash.slice(8, 20)}`;
};
