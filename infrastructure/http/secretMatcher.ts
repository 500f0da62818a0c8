import { createHash, timingSafeEqual } from 'node:crypto';

const digestOf = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

/**
 * Looks a presented secret (write key, API token) up without leaking, through response
 * time, how much of it matched: both sides are hashed to a fixed length and compared with
 * `timingSafeEqual`, and every known secret is compared so the time does not say which one.
 */
export const secretMatcher = <T>(
  secrets: ReadonlyMap<string, T>,
): ((presented: string | undefined) => T | undefined) => {
  const known = [...secrets]
    .filter(([secret]) => secret !== '')
    .map(([secret, value]) => ({ digest: digestOf(secret), value }));
  return (presented) => {
    if (presented === undefined || presented === '') return undefined;
    const digest = digestOf(presented);
    let found: T | undefined;
    for (const entry of known) {
      if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry.value;
    }
    return found;
  };
};
