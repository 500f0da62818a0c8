import { describe, expect, it } from 'vitest';
import { rawEvent } from '../../application/ports/rawLog/rawLog.fixtures.ts';
import { partitionKeyOf } from '../../domain/raw/ingestRawEvent.ts';
import { groupByPartition, groupMsgId } from './rawGroups.ts';
import { partitionOf } from './rawStreams.ts';

const names = { stream: 'RAW', deadLetterStream: 'RAW_REJECTED', subjectRoot: 'raw', partitions: 4 };

describe('groupByPartition', () => {
  it('puts each partition key in one message, in request order, with the subject of its partition', () => {
    const events = Array.from({ length: 40 }, (_, i) => rawEvent(`u${i % 7}`));
    const { groups, repeats } = groupByPartition(events, names, 1_000_000);
    expect(repeats).toBe(0);
    expect(groups.length).toBeLessThanOrEqual(4);
    expect(groups.reduce((sum, g) => sum + g.count, 0)).toBe(40);
    for (const group of groups) {
      const inside = JSON.parse(group.body) as typeof events;
      expect(inside).toHaveLength(group.count);
      const [first] = inside;
      if (!first) throw new Error('an empty group');
      const partition = partitionOf(partitionKeyOf(first), 4);
      expect(group.subject).toBe(`raw.${partition}`);
      expect(inside.map((e) => e.messageId)).toEqual(
        events.filter((e) => partitionOf(partitionKeyOf(e), 4) === partition).map((e) => e.messageId),
      );
    }
  });

  it('drops repeated messageIds of the request, keeping the first', () => {
    const a = rawEvent('u1');
    const { groups, repeats } = groupByPartition([a, { ...a, properties: { changed: true } }, a], names, 1_000_000);
    expect(repeats).toBe(2);
    expect(groups.map((g) => JSON.parse(g.body))).toEqual([[a]]);
  });

  it('gives the same events the same Nats-Msg-Id, a single event its own messageId', () => {
    const events = [rawEvent('u1'), rawEvent('u1')];
    const once = groupByPartition(events, names, 1_000_000).groups.map((g) => g.msgId);
    const again = groupByPartition(events, names, 1_000_000).groups.map((g) => g.msgId);
    expect(again).toEqual(once);
    expect(groupMsgId(events.map((e) => e.messageId))).not.toBe(
      groupMsgId([...events].reverse().map((e) => e.messageId)),
    );
    expect(groupMsgId(['m-1'])).toBe('m-1');
  });

  it('splits a group larger than the message limit in order', () => {
    const events = Array.from({ length: 10 }, () => rawEvent('u1'));
    const one = JSON.stringify(events[0]).length;
    const { groups } = groupByPartition(events, names, one * 3 + 10);
    expect(groups.length).toBeGreaterThan(1);
    expect(groups.every((g) => Buffer.byteLength(g.body) <= one * 3 + 10)).toBe(true);
    expect(groups.flatMap((g) => (JSON.parse(g.body) as typeof events).map((e) => e.messageId))).toEqual(
      events.map((e) => e.messageId),
    );
    expect(new Set(groups.map((g) => g.msgId)).size).toBe(groups.length);
  });
});
