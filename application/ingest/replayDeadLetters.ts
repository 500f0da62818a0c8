import { createHash } from 'node:crypto';
import type { CompiledRules } from '../../domain/mapping/compileRules.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import { rawEventSchema } from '../../domain/raw/rawEvent.ts';
import { type MappedListener, MapRawEvents } from '../mapping/mapRawEvents.ts';
import type { Clock } from '../ports/clock.ts';
import type { EventStore } from '../ports/eventStore/eventStore.ts';
import type { DeadLetterQueue } from '../ports/rawLog/deadLetterQueue.ts';
import type { DeadLetter, RawLog } from '../ports/rawLog/rawLog.ts';
import { IngestEvents } from './ingestEvents.ts';
import { withCaughtRejections } from './withCaughtRejections.ts';

export type ReplayOutcome = {
  readonly id: string;
  readonly stage: DeadLetter['stage'] | 'unknown';
  /** replayed: stored or mapped now (and removed from the queue); failing: still refused, kept; missing: no such letter */
  readonly status: 'replayed' | 'failing' | 'missing';
  readonly detail: string;
};

export type ReplayDeps = {
  readonly queue: DeadLetterQueue;
  readonly rawLog: RawLog;
  readonly eventStore: EventStore;
  readonly rules: CompiledRules;
  readonly clock: Clock;
  /** told what a replayed mapper letter became (the raw-event index's recorder) */
  readonly onMapped?: MappedListener;
};

/** the source a collector dead letter came in with, as IngestEvents writes it into the reason */
const sourceOf = (reason: string): string => /\(source ([^,()]+), request index \d+\)$/.exec(reason)?.[1] ?? 'replay';

/** a letter without its own messageId gets the same one on every replay, so replays are deduplicated */
const replayIdOf = (payload: unknown): string =>
  `dlq-${createHash('sha256')
    .update(JSON.stringify(payload) ?? 'null')
    .digest('hex')
    .slice(0, 32)}`;

const asIngestedEvent = (payload: unknown): IngestedEvent | undefined => {
  const parsed = rawEventSchema.safeParse(payload);
  if (!parsed.success) return undefined;
  const { messageId, receivedAt, timestamp } = payload as Record<string, unknown>;
  return typeof messageId === 'string' && typeof receivedAt === 'string' && typeof timestamp === 'string'
    ? (payload as IngestedEvent)
    : undefined;
};

/**
 * Sends dead letters again through the stage that refused them, after a fix. A letter leaves the queue
 * only once its replay succeeded (one still refused stays with the new reason); replaying twice stores
 * nothing twice (messageId dedupe, deterministic event ids).
 */
export class ReplayDeadLetters {
  constructor(private readonly deps: ReplayDeps) {}

  async replay(id: string): Promise<ReplayOutcome> {
    const letter = await this.deps.queue.getRejected(id);
    if (letter === undefined) {
      return { id, stage: 'unknown', status: 'missing', detail: `there is no dead letter ${id}; see journey dlq list` };
    }
    const outcome = letter.stage === 'collector' ? await this.replayCollector(letter) : await this.replayMapper(letter);
    if (outcome.status === 'replayed') await this.deps.queue.removeRejected(id);
    return outcome;
  }

  /** oldest first, so a user's events are replayed in the order they were refused */
  async replayAll(): Promise<ReplayOutcome[]> {
    const letters = (await this.deps.queue.listRejected()).reverse();
    const outcomes: ReplayOutcome[] = [];
    for (const letter of letters) outcomes.push(await this.replay(letter.id));
    return outcomes;
  }

  private async replayCollector(letter: DeadLetter): Promise<ReplayOutcome> {
    const { rawLog, caught } = withCaughtRejections(this.deps.rawLog);
    // Stamped as received when it was first refused, so that an anonymous page view replayed
    // days later keeps its time (clock skew corrected as then) and its place before identify.
    const refusedAt = Date.parse(letter.at);
    const clock = Number.isNaN(refusedAt) ? this.deps.clock : { now: () => refusedAt };
    const ingest = new IngestEvents(rawLog, clock, () => replayIdOf(letter.payload));
    const result = await ingest.execute({ events: [letter.payload], source: sourceOf(letter.reason) });
    const base = { id: letter.id, stage: letter.stage } as const;
    if (result.accepted + result.duplicates === 1) {
      const detail = result.accepted === 1 ? 'stored in the raw log' : 'already in the raw log (deduplicated)';
      return { ...base, status: 'replayed', detail };
    }
    return { ...base, status: 'failing', detail: caught[0]?.reason ?? 'still invalid' };
  }

  private async replayMapper(letter: DeadLetter): Promise<ReplayOutcome> {
    const base = { id: letter.id, stage: letter.stage } as const;
    const event = asIngestedEvent(letter.payload);
    if (event === undefined) {
      return { ...base, status: 'failing', detail: 'the payload is not a raw event as the raw log holds it' };
    }
    const { rawLog, caught } = withCaughtRejections(this.deps.rawLog);
    const mapper = new MapRawEvents(this.deps.eventStore, rawLog, this.deps.rules, this.deps.onMapped);
    try {
      await mapper.handle({ events: [event], deliveryCount: 1 });
    } catch (error) {
      return { ...base, status: 'failing', detail: error instanceof Error ? error.message : String(error) };
    }
    if (caught.length > 0) return { ...base, status: 'failing', detail: caught.map((c) => c.reason).join('; ') };
    return { ...base, status: 'replayed', detail: `mapped with the rules of ${this.deps.rules.source}` };
  }
}
