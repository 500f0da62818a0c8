import { statusOfOutcome } from '../../domain/explorer/rawEventStatus.ts';
import {
  ANONYMOUS_ID_LINKED,
  anonymousStreamOf,
  type IdentityLink,
  identityLinkOf,
  identityStreamOf,
} from '../../domain/identity/identityLinkOf.ts';
import { journeyStreamOf } from '../../domain/journey/journeyEvent.ts';
import { applyRules } from '../../domain/mapping/applyRules.ts';
import type { CompiledRules } from '../../domain/mapping/compileRules.ts';
import type { IngestedEvent } from '../../domain/raw/rawEvent.ts';
import {
  type Activity,
  activityOf,
  activityStreamOf,
  anonymousActivityStreamOf,
} from '../../domain/sessions/activity.ts';
import { ANY, type EventData, type EventStore } from '../ports/eventStore/eventStore.ts';
import type { IndexedJourneyEvent, RawEventOutcome } from '../ports/rawEventIndex/rawEventIndex.ts';
import type { RawDelivery, RawLog } from '../ports/rawLog/rawLog.ts';
import { activityEventDataOf } from './activityEventDataOf.ts';
import { journeyEventDataOf } from './journeyEventDataOf.ts';
import { journeyEventId } from './journeyEventId.ts';

type Owner = { readonly userId: string } | { readonly anonymousId: string };
type Target = { readonly streamId: string; readonly userId?: string; readonly anonymousId?: string };

const KNOWN_LINKS_MAX = 100_000;

/**
 * Told what each raw event of a delivery became once its journey events are stored, and the links it
 * proved; synchronous and never awaited, so a listener buffers (the raw-event index batches its writes).
 */
export type MappedListener = (outcomes: readonly RawEventOutcome[], links: readonly IdentityLink[]) => void;

/**
 * The mapper: raw events → identity → mapping rules → journey events on each user's stream; safe to
 * run again on a delivery. A link is written before the anonymous stream is copied and an anonymous
 * append re-checks the link after, so racing mappers always see each other.
 */
export class MapRawEvents {
  private readonly knownLinks = new Map<string, string>();
  /** anonymous ids whose journey this process has already copied (a retry copies again) */
  private readonly copied = new Set<string>();

  constructor(
    private readonly eventStore: EventStore,
    private readonly rawLog: RawLog,
    private readonly rules: CompiledRules,
    private readonly onMapped?: MappedListener,
  ) {}

  readonly handle = async (delivery: RawDelivery): Promise<void> => {
    const newLinks = await this.recordLinks(delivery.events);
    // read once the links are stored (a racing anonymous append re-checks the link after its
    // own), and appended with this delivery's events: one commit fewer a delivery
    const copies = await Promise.all(newLinks.map((link) => this.copiesOf(link)));
    const byStream = new Map<string, EventData[]>();
    const anonymousTargets = new Map<string, Target>();
    const unmappable: { reason: string; payload: unknown }[] = [];
    const activity = new Map<string, { readonly owner: Owner; readonly activities: Activity[] }>();
    const anonymousIds = new Map<string, Target>();
    const outcomes: RawEventOutcome[] | undefined = this.onMapped === undefined ? undefined : [];

    const add = (streamId: string, event: EventData) => {
      const list = byStream.get(streamId) ?? [];
      list.push(event);
      byStream.set(streamId, list);
    };
    for (const raw of delivery.events) {
      const target = await this.targetOf(raw, anonymousIds);
      // every raw event is activity (sessions count it), whatever the rules make of it
      const activityStream =
        target.userId === undefined
          ? anonymousActivityStreamOf(target.anonymousId ?? '')
          : activityStreamOf(target.userId);
      const recorded = activity.get(activityStream);
      if (recorded !== undefined) recorded.activities.push(activityOf(raw));
      else {
        const owner =
          target.userId === undefined ? { anonymousId: target.anonymousId ?? '' } : { userId: target.userId };
        activity.set(activityStream, { owner, activities: [activityOf(raw)] });
      }
      if (target.anonymousId !== undefined) anonymousTargets.set(target.streamId, target);
      const outcome = applyRules(this.rules, raw);
      for (const error of outcome.errors) unmappable.push({ reason: error.reason, payload: raw });
      const journeyEvents: IndexedJourneyEvent[] = [];
      for (const mapped of outcome.events) {
        const data = journeyEventDataOf(raw, mapped, target.userId);
        add(target.streamId, data);
        if (outcomes) journeyEvents.push({ id: data.id, type: data.type, rule: mapped.ruleId });
      }
      outcomes?.push({
        event: raw,
        journeyEvents,
        ...statusOfOutcome(outcome),
        ...(target.userId === undefined ? {} : { userId: target.userId }),
      });
    }
    // one activity event per stream and delivery, not one per raw event: fewer, larger rows
    for (const [streamId, { owner, activities }] of activity) add(streamId, activityEventDataOf(activities, owner));
    for (const copy of copies.flat()) for (const event of copy.events) add(copy.streamId, event);

    await Promise.all(
      [...byStream].map(([streamId, events]) => this.eventStore.append(streamId, events, { expectedRevision: ANY })),
    );
    for (const link of newLinks) this.markCopied(link.anonymousId);
    if (unmappable.length > 0) await this.rawLog.reject(unmappable.map((u) => ({ stage: 'mapper' as const, ...u })));

    const lateLinks = await Promise.all(
      [...anonymousTargets.values()].map(async (t) => {
        const userId = await this.lookUpLink(t.anonymousId ?? '');
        return userId === undefined ? undefined : { anonymousId: t.anonymousId ?? '', userId };
      }),
    );
    const toCopy = lateLinks.filter((l): l is IdentityLink => l !== undefined);
    await Promise.all(toCopy.map((link) => this.copyAnonymousJourney(link)));
    if (outcomes) this.onMapped?.(outcomes, [...newLinks, ...toCopy]);
  };

  /** Writes every link this delivery proves (first link of an anonymous id wins). */
  private async recordLinks(events: readonly IngestedEvent[]): Promise<IdentityLink[]> {
    const links = new Map<string, IdentityLink>();
    for (const raw of events) {
      const link = identityLinkOf(raw);
      if (link && !links.has(link.anonymousId) && !this.copied.has(link.anonymousId)) {
        links.set(link.anonymousId, link);
      }
    }
    // concurrently: the store's group commit then writes all of a delivery's links at once
    const recorded = await Promise.all([...links.values()].map((link) => this.recordLink(link)));
    return recorded.filter((link): link is IdentityLink => link !== undefined);
  }

  /** the link when it is (now) the anonymous id's link, undefined when another user had it first */
  private async recordLink(link: IdentityLink): Promise<IdentityLink | undefined> {
    const existing = await this.lookUpLink(link.anonymousId);
    if (existing !== undefined) return existing === link.userId ? link : undefined;
    await this.eventStore.append(
      identityStreamOf(link.anonymousId),
      [{ id: journeyEventId(0, 'link', link.anonymousId, link.userId), type: ANONYMOUS_ID_LINKED, data: link }],
      { expectedRevision: ANY },
    );
    // A racing mapper may have linked this id to someone else first: the stream decides.
    return (await this.lookUpLink(link.anonymousId)) === link.userId ? link : undefined;
  }

  /**
   * `anonymous` holds this delivery's answers for anonymous ids: one link lookup per id and
   * delivery (a link written meanwhile is caught by the check after the append).
   */
  private async targetOf(raw: IngestedEvent, anonymous: Map<string, Target>): Promise<Target> {
    if (raw.userId !== undefined) return { streamId: journeyStreamOf(raw.userId), userId: raw.userId };
    const anonymousId = raw.anonymousId ?? '';
    const known = anonymous.get(anonymousId);
    if (known !== undefined) return known;
    const userId = await this.lookUpLink(anonymousId);
    const target =
      userId === undefined
        ? { streamId: anonymousStreamOf(anonymousId), anonymousId }
        : { streamId: journeyStreamOf(userId), userId };
    anonymous.set(anonymousId, target);
    return target;
  }

  private async lookUpLink(anonymousId: string): Promise<string | undefined> {
    const cached = this.knownLinks.get(anonymousId);
    if (cached !== undefined) return cached;
    const [first] = await this.eventStore.readStream(identityStreamOf(anonymousId), { maxCount: 1 });
    const userId = (first?.data as Partial<IdentityLink> | undefined)?.userId;
    if (userId === undefined) return undefined;
    if (this.knownLinks.size >= KNOWN_LINKS_MAX) this.knownLinks.clear();
    this.knownLinks.set(anonymousId, userId);
    return userId;
  }

  /** Joins what the user did before they were known to their journey and activity, keeping event times. */
  private async copyAnonymousJourney(link: IdentityLink): Promise<void> {
    const copies = await this.copiesOf(link);
    await Promise.all(
      copies
        .filter((copy) => copy.events.length > 0)
        .map((copy) => this.eventStore.append(copy.streamId, copy.events, { expectedRevision: ANY })),
    );
    this.markCopied(link.anonymousId);
  }

  private markCopied(anonymousId: string): void {
    if (this.copied.size >= KNOWN_LINKS_MAX) this.copied.clear();
    this.copied.add(anonymousId);
  }

  /** the copies of an anonymous id's journey and activity for the user it is linked to */
  private async copiesOf(link: IdentityLink): Promise<{ readonly streamId: string; readonly events: EventData[] }[]> {
    const [journey, activity] = await Promise.all([
      this.copiesOfStream(anonymousStreamOf(link.anonymousId), link.userId),
      this.copiesOfStream(anonymousActivityStreamOf(link.anonymousId), link.userId),
    ]);
    return [
      { streamId: journeyStreamOf(link.userId), events: journey },
      { streamId: activityStreamOf(link.userId), events: activity },
    ];
  }

  private async copiesOfStream(from: string, userId: string): Promise<EventData[]> {
    const anonymous = await this.eventStore.readStream(from);
    return anonymous.map((e): EventData => {
      const metadata = e.metadata as { occurredAt: string };
      return {
        id: journeyEventId(Date.parse(metadata.occurredAt), 'copy', e.id, userId),
        type: e.type,
        data: e.data,
        metadata: { ...metadata, userId, copiedFrom: e.id },
      };
    });
  }
}
