import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createAccount,
  createOperator,
  createUser,
  defaultNatsLimits,
  encodeAccount,
  encodeOperator,
  encodeUser,
  fmtCreds,
} from '@nats-io/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawEvent } from '../../../application/ports/rawLog/rawLog.fixtures.ts';
import { isConfigError } from '../../../domain/errors/journeyError.ts';
import { loadConfig } from '../../../infrastructure/config/config.ts';
import { type NatsServerHarness, startNatsServer } from '../../../testing/nats/natsServerHarness.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import { rawLogFor, whenReady } from '../adapters.ts';

/**
 * NATS_USER / NATS_PASSWORD, NATS_TOKEN, NATS_CREDS and NATS_TLS_CA from the environment
 * through the config schema and rawLogFor to a real nats-server that requires them: the right
 * values connect and publish, wrong ones stop start-up with the URL and the variable to fix.
 * For NATS_CREDS the server runs in operator mode (decentralized JWT auth) with a memory
 * resolver preloaded with the account; the operator, account and user JWTs and the .creds
 * file are made here with @nats-io/jwt, as nsc would make them.
 */

let data: TempDataDir;
let dir: string;
beforeAll(async () => {
  data = await tempDataDir('nats-security');
  dir = data.dir;
});
afterAll(async () => {
  await data?.remove();
});

/** starts with this environment (plus a data dir) and publishes one event; the error if it fails */
const connectWith = async (env: Record<string, string>): Promise<unknown> => {
  const log = rawLogFor(loadConfig({ JOURNEY_DATA_DIR: dir, ...env }));
  try {
    await whenReady(log);
    expect(await log.publish([rawEvent('u1')])).toEqual({ stored: 1, duplicates: 0 });
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await log.close();
  }
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

describe('NATS with user and password', () => {
  let server: NatsServerHarness;
  beforeAll(async () => {
    server = await startNatsServer({ config: 'authorization { user: journey, password: "s3cret-pass" }\n' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('connects and publishes with NATS_USER and NATS_PASSWORD', async () => {
    expect(await connectWith({ NATS_URL: server.url, NATS_USER: 'journey', NATS_PASSWORD: 's3cret-pass' })).toBe(
      undefined,
    );
  });

  it.each([
    ['a wrong password', { NATS_USER: 'journey', NATS_PASSWORD: 'wrong-pass' }],
    ['no credentials', {}],
  ])('with %s, names the URL and the variables to set, and never the password', async (_, auth) => {
    const error = messageOf(await connectWith({ NATS_URL: server.url, ...auth }));
    expect(error).toContain(`NATS_URL=${server.url} refused the credentials (Authorization Violation)`);
    expect(error).toContain('set NATS_USER and NATS_PASSWORD, NATS_TOKEN or NATS_CREDS');
    expect(error).not.toContain('wrong-pass');
  });
});

describe('NATS with a token', () => {
  let server: NatsServerHarness;
  beforeAll(async () => {
    server = await startNatsServer({ config: 'authorization { token: "t0ken-0123456789" }\n' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('connects and publishes with NATS_TOKEN', async () => {
    expect(await connectWith({ NATS_URL: server.url, NATS_TOKEN: 't0ken-0123456789' })).toBe(undefined);
  });

  it('refuses a wrong token with the URL and what to set', async () => {
    const error = messageOf(await connectWith({ NATS_URL: server.url, NATS_TOKEN: 'not-the-token' }));
    expect(error).toContain(`NATS_URL=${server.url} refused the credentials`);
    expect(error).toContain('NATS_TOKEN');
    expect(error).not.toContain('not-the-token');
  });
});

describe('NATS over TLS with a self-signed certificate', () => {
  let server: NatsServerHarness;
  let cert: string;
  beforeAll(async () => {
    cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    // the client connects to the host name "localhost" the server announces, so both are named
    const openssl = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { encoding: 'utf8' },
    );
    if (openssl.error || openssl.status !== 0)
      throw new Error(`these tests need openssl on PATH to make a certificate: ${openssl.stderr ?? openssl.error}`);
    server = await startNatsServer({ config: `tls { cert_file: "${cert}", key_file: "${key}" }\n` });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('connects and publishes with NATS_TLS_CA naming the certificate', async () => {
    expect(await connectWith({ NATS_URL: server.url, NATS_TLS_CA: cert })).toBe(undefined);
  });

  it('without NATS_TLS_CA, says TLS failed and to set NATS_TLS_CA', async () => {
    const error = messageOf(await connectWith({ NATS_URL: server.url }));
    expect(error).toContain(`NATS_URL=${server.url}: TLS failed (self-signed certificate)`);
    expect(error).toContain('set NATS_TLS_CA to the PEM file of the CA');
  });

  it('stops with a config error when NATS_TLS_CA or NATS_CREDS names no file', async () => {
    const missing = join(dir, 'nope.pem');
    const tls = await connectWith({ NATS_URL: server.url, NATS_TLS_CA: missing });
    expect(isConfigError(tls)).toBe(true);
    expect(messageOf(tls)).toBe(`NATS_TLS_CA=${missing} does not exist; point it at the file, or unset NATS_TLS_CA`);
    const creds = await connectWith({ NATS_URL: server.url, NATS_CREDS: join(dir, 'user.creds') });
    expect(messageOf(creds)).toContain('NATS_CREDS=');
    expect(messageOf(creds)).toContain('does not exist');
  });
});

/** an operator-mode server config trusting `operator`, with these accounts preloaded (JetStream on) */
const operatorMode = async () => {
  const operator = createOperator();
  const operatorJwt = await encodeOperator('journey-test', operator);
  const account = async (name: string, jetStream = true) => {
    const key = createAccount();
    const jwt = await encodeAccount(
      name,
      key,
      // as nsc makes them: no limits (-1; a missing limit reads as 0), and JetStream for the account
      {
        limits: {
          ...defaultNatsLimits(),
          imports: -1,
          exports: -1,
          wildcards: true,
          conn: -1,
          leaf: -1,
          ...(jetStream ? { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 } : {}),
        },
      },
      { signer: operator },
    );
    return { key, jwt };
  };
  // JetStream in operator mode needs a system account for its internal subscriptions
  const system = await account('SYS', false);
  const journey = await account('JOURNEY');
  const other = await account('OTHER');
  const creds = async (name: string, issuer: typeof journey) => {
    const user = createUser();
    const file = join(dir, `${name}.creds`);
    await writeFile(file, fmtCreds(await encodeUser(name, user, issuer.key), user));
    return file;
  };
  const config = [
    `operator: ${operatorJwt}`,
    'resolver: MEMORY',
    `system_account: ${system.key.getPublicKey()}`,
    // OTHER is signed by the operator too, but the server does not know it
    `resolver_preload: { ${system.key.getPublicKey()}: ${system.jwt}, ${journey.key.getPublicKey()}: ${journey.jwt} }`,
    '',
  ].join('\n');
  return { config, journey, other, creds };
};

describe('NATS with a .creds file (JWT + nkey seed, operator mode)', () => {
  let server: NatsServerHarness;
  let setup: Awaited<ReturnType<typeof operatorMode>>;
  beforeAll(async () => {
    setup = await operatorMode();
    server = await startNatsServer({ config: setup.config });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('connects and publishes with NATS_CREDS naming a user of the account', async () => {
    const creds = await setup.creds('journey-user', setup.journey);
    expect(await connectWith({ NATS_URL: server.url, NATS_CREDS: creds })).toBe(undefined);
  });

  it('refuses a user of an account the server does not know, naming the URL and NATS_CREDS', async () => {
    const creds = await setup.creds('stranger', setup.other);
    const error = messageOf(await connectWith({ NATS_URL: server.url, NATS_CREDS: creds }));
    expect(error).toContain(`NATS_URL=${server.url} refused the credentials (Authorization Violation)`);
    expect(error).toContain('NATS_CREDS');
  });

  it('refuses a creds file whose seed does not match its JWT (the nonce signature fails)', async () => {
    const good = await setup.creds('journey-user', setup.journey);
    const text = await readFile(good, 'utf8');
    const forged = join(dir, 'forged.creds');
    const otherSeed = new TextDecoder().decode(createUser().getSeed());
    const forgedText = text.replace(/SU[A-Z2-7]{56}/, otherSeed);
    expect(forgedText).not.toBe(text);
    await writeFile(forged, forgedText);
    const error = messageOf(await connectWith({ NATS_URL: server.url, NATS_CREDS: forged }));
    expect(error).toContain(`NATS_URL=${server.url} refused the credentials`);
    expect(error).toContain('NATS_CREDS');
    expect(error).not.toContain(otherSeed);
  });
});
