import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeDeadLetterQueueContract } from '../../application/deadLetterQueue.contract.ts';
import { describeRawLogContract } from '../../application/rawLog.contract.ts';
import type { RawLog } from '../../application/rawLog.ts';
import { Recorder, rawEvent } from '../../application/rawLogTestKit.contract.ts';
import { isUnavailableError } from '../../domain/errors/journeyError.ts';
import { JetStreamRawLog, type JetStreamRawLogOptions } from './jetStreamRawLog.ts';
import { connectNats } from './natsConnection.ts';
import { type NatsServerHarness, startNatsServer } from './natsServerHarness.ts';
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
  { reopen: true, orderedAcrossPartitions: false },
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
