import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MapRawEvents } from '../../application/mapping/mapRawEvents.ts';
import { describeDeadLetterQueueContract } from '../../application/ports/rawLog/deadLetterQueue.contract.ts';
import { describeRawLogContract } from '../../application/ports/rawLog/rawLog.contract.ts';
import { Recorder, rawEvent } from '../../application/ports/rawLog/rawLog.fixtures.ts';
import type { RawLog } from '../../application/ports/rawLog/rawLog.ts';
import { isUnavailableError } from '../../domain/errors/journeyError.ts';
import { journeyStreamOf } from '../../domain/journey/journeyEvent.ts';
import { compileRules } from '../../domain/mapping/compileRules.ts';
import { defaultRules } from '../../domain/mapping/defaultRules.ts';
import { partitionKeyOf } from '../../domain/raw/ingestRawEvent.ts';
import { type NatsServerHarness, startNatsServer } from '../../testing/nats/natsServerHarness.ts';
import { tempDataDir } from '../../testing/tempDataDir.ts';
import { SqliteEventStore } from '../sqlite/eventStore/sqliteEventStore.ts';
import { JetStreamRawLog, type JetStreamRawLogOptions } from './jetStreamRawLog.ts';
import { connectNats } from './natsConnection.ts';
import { partitionOf } from './rawStreams.ts';

/**
 * One nats-server for the file, and fresh stream names and subjects per test: starting a
 * server costs ~100 ms plus JetStream's start, and streams are fully isolated by name.
 */
let server: NatsServerHarness;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

let n = 0;
const freshNames = (): JetStreamRawLogOptions => {
  n++;
  return { stream: `T${n}_RAW`, deadLetterStream: `T${n}_RAW_REJECTED`, subjectRoot: `t${n}raw`, partitions: 4 };
};
const fastRetries = { retryInitialMs: 2, retryMaxMs: 10 };

describeRawLogContract(
  'NATS JetStream',
  async () => {
    const options = { ...freshNames(), ...fastRetries };
    const first = new JetStreamRawLog(server.url, options);
    await first.ready();
    const opened: RawLog[] = [first];
    return {
      log: first,
      reopen: async () => {
        const log = new JetStreamRawLog(server.url, options);
        opened.push(log);
        await log.ready();
        return log;
      },
      cleanup: async () => {
        await Promise.all(opened.map((log) => log.close()));
      },
    };
  },
  { reopen: true, orderedAcrossPartitions: false, exactDuplicates: false, pendingCountsEvents: false },
);

describe('JetStreamRawLog', () => {
  it('names the URL and what to do when the server is not there', async () => {
    const log = new JetStreamRawLog('nats://127.0.0.1:1');
    await expect(log.ready()).rejects.toThrow(
      'NATS_URL=nats://127.0.0.1:1 is not reachable (ECONNREFUSED); start nats-server -js or unset NATS_URL to run embedded',
    );
    await log.close();
  });

  it('hashes partition keys stably (FNV-1a), so other languages can compute the subject', () => {
    expect(partitionOf('u:alice', 8)).toBe(partitionOf('u:alice', 8));
    expect([partitionOf('', 8), partitionOf('a', 1_000_000)]).toEqual([0x811c9dc5 % 8, 0xe40c292c % 1_000_000]);
  });

  it('maps and validates a plain event a backend published straight to NATS', async () => {
    const options = { ...freshNames(), ...fastRetries };
    const log = new JetStreamRawLog(server.url, options);
    await log.ready();
    const nc = await connectNats(server.url);
    const subject = `${options.subjectRoot}.${partitionOf('u:bob', 4)}`;
    const { jetstream } = await import('@nats-io/jetstream');
    const js = jetstream(nc);
    await js.publish(subject, JSON.stringify({ type: 'track', event: 'Signed Up', userId: 'bob' }), { msgID: 'm-1' });
    await js.publish(subject, JSON.stringify({ type: 'track', event: 'No one' }), { msgID: 'm-2' });
    const recorder = new Recorder().start(log, { group: 'mapper' });
    await recorder.until(1);
    expect(recorder.handled[0]).toMatchObject({ event: 'Signed Up', userId: 'bob', messageId: 'm-1' });
    expect(typeof recorder.handled[0]?.receivedAt).toBe('string');
    await expect
      .poll(async () => (await log.listRejected()).map((d) => [d.stage, d.reason]))
      .toEqual([['collector', 'userId: needs a userId or an anonymousId']]);
    await recorder.stop();
    await nc.close();
    await log.close();
  });

  it('takes an array of events in one message from a backend, dead-lettering only the invalid ones', async () => {
    const options = { ...freshNames(), ...fastRetries };
    const log = new JetStreamRawLog(server.url, options);
    const nc = await connectNats(server.url);
    try {
      await log.ready();
      const { jetstream } = await import('@nats-io/jetstream');
      const body = [
        { type: 'track', event: 'Signed Up', userId: 'erin' },
        { type: 'track', event: 'Nobody' },
        { type: 'track', event: 'Project Created', userId: 'erin' },
      ];
      await jetstream(nc).publish(`${options.subjectRoot}.${partitionOf('u:erin', 4)}`, JSON.stringify(body), {
        msgID: 'batch-1',
      });
      const recorder = new Recorder().start(log, { group: 'mapper' });
      await recorder.until(2);
      expect(recorder.handled.map((e) => [e.event, e.messageId])).toEqual([
        ['Signed Up', 'batch-1-0'],
        ['Project Created', 'batch-1-2'],
      ]);
      await expect
        .poll(async () => (await log.listRejected()).map((d) => [d.stage, d.reason]))
        .toEqual([['collector', 'userId: needs a userId or an anonymousId']]);
      await recorder.stop();
    } finally {
      await nc.close();
      await log.close();
    }
  });

  it('stores a request as one message per partition, and a retried request not at all', async () => {
    const options = { ...freshNames(), ...fastRetries };
    const log = new JetStreamRawLog(server.url, options);
    const nc = await connectNats(server.url);
    try {
      await log.ready();
      const events = Array.from({ length: 100 }, (_, i) => rawEvent(`u${i % 30}`));
      expect(await log.publish(events)).toEqual({ stored: 100, duplicates: 0 });
      expect(await log.publish(events)).toEqual({ stored: 0, duplicates: 100 });
      const { jetstreamManager } = await import('@nats-io/jetstream');
      const { state } = await (await jetstreamManager(nc)).streams.info(options.stream ?? 'RAW');
      const partitions = new Set(events.map((e) => partitionOf(partitionKeyOf(e), 4)));
      expect(state.messages).toBe(partitions.size);
    } finally {
      await nc.close();
      await log.close();
    }
  });

  it('lets the mapper count an event sent again in another request once (idempotent appends)', async () => {
    const log = new JetStreamRawLog(server.url, { ...freshNames(), ...fastRetries });
    const data = await tempDataDir('nats-mapper');
    const store = new SqliteEventStore(data.file('events.db'));
    try {
      await log.ready();
      const made = (event: string) => ({ ...rawEvent('carol'), event, properties: { projectId: 'p1' } });
      const [signUp, project, deploy] = [made('Signed Up'), made('Project Created'), made('Deployment Started')];
      await log.publish([signUp, project]);
      // the client lost the answer and sends the second event again with a new one
      // JetStream stores it again: the group's Nats-Msg-Id differs from the first request's
      expect(await log.publish([project, deploy])).toEqual({ stored: 2, duplicates: 0 });
      const mapper = new MapRawEvents(store, log, compileRules(defaultRules, 'default rules'));
      const consumer = log.consume({ group: 'mapper' }, mapper.handle);
      await expect.poll(() => log.pending('mapper'), { timeout: 10_000 }).toBe(0);
      await consumer.stop();
      const journey = await store.readStream(journeyStreamOf('carol'));
      expect(journey.map((e) => e.type)).toEqual(['UserSignedUp', 'ProjectCreated', 'DeploymentStarted']);
    } finally {
      await log.close();
      await store.close();
      await data.remove();
    }
  });

  it('answers publishes with UnavailableError while the server is down, and recovers', async () => {
    const own = await startNatsServer();
    const log = new JetStreamRawLog(own.url, { ...freshNames(), publishTimeoutMs: 500 });
    try {
      await log.ready();
      await own.kill();
      const error = await log.publish([rawEvent('u1')]).catch((e: unknown) => e);
      expect(isUnavailableError(error)).toBe(true);
      expect(String(error)).toContain(own.url);
      await own.restart();
      await expect
        .poll(
          () =>
            log.publish([rawEvent('u1')]).then(
              () => true,
              () => false,
            ),
          { timeout: 10_000 },
        )
        .toBe(true);
    } finally {
      await log.close();
      await own.stop();
    }
  });
});

describeDeadLetterQueueContract('NATS JetStream', async () => {
  const log = new JetStreamRawLog(server.url, freshNames());
  await log.ready();
  return log;
});
