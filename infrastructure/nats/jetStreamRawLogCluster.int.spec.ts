import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdsOf, Recorder, rawEvent } from '../../application/ports/rawLog/rawLog.fixtures.ts';
import { isConfigError } from '../../domain/errors/journeyError.ts';
import { type NatsClusterHarness, startNatsCluster } from '../../testing/nats/natsClusterHarness.ts';
import { startNatsServer } from '../../testing/nats/natsServerHarness.ts';
import { waitUntil } from '../../testing/waitUntil.ts';
import { JetStreamRawLog } from './jetStreamRawLog.ts';
import { connectNats } from './natsConnection.ts';

let cluster: NatsClusterHarness;
beforeAll(async () => {
  cluster = await startNatsCluster(3);
}, 90_000);
afterAll(async () => {
  await cluster?.stop();
});

const names = (n: number) => ({
  stream: `C${n}_RAW`,
  deadLetterStream: `C${n}_RAW_REJECTED`,
  subjectRoot: `c${n}raw`,
  partitions: 2,
});

describe('JetStreamRawLog on a three-node JetStream cluster', () => {
  it('keeps RAW and RAW_REJECTED on three replicas, and the consumers follow', async () => {
    const log = new JetStreamRawLog(cluster.url, { ...names(1), replicas: 3 });
    const nc = await connectNats(cluster.url);
    try {
      await log.ready();
      await log.publish([rawEvent('u1')]);
      const recorder = new Recorder().start(log, { group: 'mapper' });
      await recorder.until(1);
      await recorder.stop();
      const jsm = await jetstreamManager(nc);
      for (const stream of ['C1_RAW', 'C1_RAW_REJECTED']) {
        const info = await jsm.streams.info(stream);
        expect([stream, info.config.num_replicas, info.cluster?.replicas?.length]).toEqual([stream, 3, 2]);
      }
      const consumer = await jsm.consumers.info('C1_RAW', 'mapper-p0');
      expect(consumer.cluster?.replicas?.length).toBe(2);
    } finally {
      await nc.close();
      await log.close();
    }
  });

  it('publishes and consumes on when the stream leader is killed, and takes it back', async () => {
    const log = new JetStreamRawLog(cluster.url, { ...names(2), replicas: 3, publishTimeoutMs: 1_000 });
    try {
      await log.ready();
      const before = Array.from({ length: 20 }, (_, i) => rawEvent(`u${i}`));
      await log.publish(before);
      const recorder = new Recorder().start(log, { group: 'mapper' });
      await recorder.until(before.length);
      const leader = await cluster.streamLeader('C2_RAW');
      expect(leader).toBeDefined();
      const victim = cluster.node(leader ?? '');
      await victim.kill();
      let newLeader: string | undefined;
      await waitUntil(
        'another node to lead C2_RAW',
        async () => {
          newLeader = await cluster.streamLeader('C2_RAW');
          return newLeader !== undefined && newLeader !== victim.name;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      const after = Array.from({ length: 20 }, (_, i) => rawEvent(`v${i}`));
      // a publish during the election may be refused; the collector's client retries the same way
      await waitUntil('the cluster to take a publish without the old leader', () =>
        log.publish(after).then(
          () => true,
          () => false,
        ),
      );
      await victim.restart();
      await recorder.until(before.length + after.length);
      await recorder.stop();
      expect(new Set(messageIdsOf(recorder.handled))).toEqual(new Set(messageIdsOf([...before, ...after])));
      // acks reach the consumer's (possibly new) leader asynchronously: each one lands, or pending stays above 0
      await waitUntil('every delivery acknowledged', async () => (await log.pending('mapper')) === 0, {
        timeoutMs: 30_000,
        intervalMs: 100,
      });
    } finally {
      await log.close();
    }
  });

  it('refuses three replicas on a single server, naming JOURNEY_RAW_REPLICAS and what to set', async () => {
    const single = await startNatsServer();
    const log = new JetStreamRawLog(single.url, { ...names(3), replicas: 3 });
    try {
      const error = await log.ready().catch((e: unknown) => e);
      expect(error).toSatisfy(isConfigError);
      expect(String(error)).toMatch(/JOURNEY_RAW_REPLICAS=3 needs a JetStream cluster.*set JOURNEY_RAW_REPLICAS=1/);
    } finally {
      await log.close();
      await single.stop();
    }
  });
});
