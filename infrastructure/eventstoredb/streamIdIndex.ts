/** 0 marks an empty slot, so no id's fingerprint is 0 */
const EMPTY = 0;
/** the table doubles beyond this load, so it is 35–70 % full: 17–34 bytes per event */
const MAX_LOAD = 0.7;

/** FNV-1a over the id's UTF-16 units, then murmur3's finaliser so that similar ids spread */
export const fingerprintOf = (id: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  return h === EMPTY ? 1 : h;
};

/**
 * The event ids of one stream, compactly: a 32-bit fingerprint and the revision of each event, in an
 * open-addressing table (two typed arrays, no object per event). A lookup answers "certainly not in
 * the stream" or "perhaps at these revisions"; the caller confirms a perhaps by reading those events.
 * A fingerprint is shared by two ids of a 100k-event stream with odds of about 1 in 40,000, and that
 * costs one read, never a wrong answer.
 */
export class StreamIdIndex {
  private fingerprints: Uint32Array;
  private revisions: Float64Array;
  private count = 0;
  /** the last revision the index holds; undefined while the stream has no events */
  head: bigint | undefined;

  constructor(capacity = 16) {
    let slots = 16;
    while (slots * MAX_LOAD < capacity) slots *= 2;
    this.fingerprints = new Uint32Array(slots);
    this.revisions = new Float64Array(slots);
  }

  /** how many events it holds */
  get size(): number {
    return this.count;
  }

  /** records the event at `revision`; revisions come in ascending order, each once */
  add(id: string, revision: bigint): void {
    if ((this.count + 1) / this.fingerprints.length > MAX_LOAD) this.grow();
    this.place(fingerprintOf(id), Number(revision));
    this.count++;
    if (this.head === undefined || revision > this.head) this.head = revision;
  }

  /** the revisions an event with this id may be at: empty when it is certainly not in the stream */
  candidates(id: string): bigint[] {
    const fingerprint = fingerprintOf(id);
    const mask = this.fingerprints.length - 1;
    const found: bigint[] = [];
    for (let slot = fingerprint & mask; this.fingerprints[slot] !== EMPTY; slot = (slot + 1) & mask) {
      if (this.fingerprints[slot] === fingerprint) found.push(BigInt(this.revisions[slot] ?? 0));
    }
    return found;
  }

  private place(fingerprint: number, revision: number): void {
    const mask = this.fingerprints.length - 1;
    let slot = fingerprint & mask;
    while (this.fingerprints[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.fingerprints[slot] = fingerprint;
    this.revisions[slot] = revision;
  }

  private grow(): void {
    const [fingerprints, revisions] = [this.fingerprints, this.revisions];
    this.fingerprints = new Uint32Array(fingerprints.length * 2);
    this.revisions = new Float64Array(revisions.length * 2);
    fingerprints.forEach((fingerprint, slot) => {
      if (fingerprint !== EMPTY) this.place(fingerprint, revisions[slot] ?? 0);
    });
  }
}
