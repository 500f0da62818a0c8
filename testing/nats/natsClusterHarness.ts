import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort } from '../freePort.ts';
import { tempDataDir } from '../tempDataDir.ts';
import { waitUntil } from '../waitUntil.ts';
import { assertNatsServerInstalled, exited, launchNatsServer } from './natsServerProcess.ts';

export type NatsClusterNode = {
  /** the server name, n1 … n<size>, as JetStream reports leaders */
  readonly name: string;
  readonly url: string;
  running(): boolean;
  /** SIGKILL, keeping ports and store, as a crash would */
  kill(): Promise<void>;
  /** starts it again on the same ports and store, and waits until it sees a meta leader */
  restart(): Promise<void>;
};

export type NatsClusterHarness = {
  /** every node's URL, comma-separated, as NATS_URL takes it */
  readonly url: string;
  readonly nodes: readonly NatsClusterNode[];
  node(name: string): NatsClusterNode;
  /** the JetStream meta leader's name, once the running nodes agree on one */
  metaLeader(): Promise<string>;
  /** the name of the node leading a stream's replicas (stream info `cluster.leader`); undefined while there is none */
  streamLeader(stream: string): Promise<string | undefined>;
  /** the leader's view of a stream's other replicas (stream info `cluster.replicas`); [] while there is no leader */
  streamReplicas(stream: string): Promise<{ name: string; current: boolean; lag: number }[]>;
  /** kills every node and removes the stores */
  stop(): Promise<void>;
};

type Ports = { readonly client: number; readonly route: number; readonly monitor: number };

const nodeConfig = (name: string, ports: Ports, storeDir: string, routes: readonly number[]): string =>
  [
    `server_name: ${name}`,
    `listen: 127.0.0.1:${ports.client}`,
    `http: 127.0.0.1:${ports.monitor}`,
    `jetstream { store_dir: ${JSON.stringify(storeDir)} }`,
    'cluster {',
    '  name: journey-test',
    `  listen: 127.0.0.1:${ports.route}`,
    `  routes: [${routes.map((p) => `nats-route://127.0.0.1:${p}`).join(', ')}]`,
    '}',
  ].join('\n');

/** what a node's monitoring endpoint says the meta leader is ('' while it knows none) */
const metaLeaderSeenBy = async (monitorPort: number): Promise<string> => {
  try {
    const response = await fetch(`http://127.0.0.1:${monitorPort}/jsz`, { signal: AbortSignal.timeout(2_000) });
    const body = (await response.json()) as { meta_cluster?: { leader?: string } };
    return body.meta_cluster?.leader ?? '';
  } catch {
    return '';
  }
};

/**
 * Test support: a JetStream cluster of `size` nats-server processes on loopback (free client, route
 * and monitoring ports, one store each), for tests that lose a node. A killed node comes back on the
 * same ports and store, so it rejoins as the same server and catches its replicas up.
 */
export const startNatsCluster = async (size = 3): Promise<NatsClusterHarness> => {
  assertNatsServerInstalled();
  const root = await tempDataDir('nats-cluster');
  const ports: Ports[] = [];
  for (let i = 0; i < size; i++)
    ports.push({ client: await freePort(), route: await freePort(), monitor: await freePort() });
  const children = new Map<string, ChildProcess>();
  let client: Promise<NatsConnection> | undefined;

  const runningMonitors = (): number[] => ports.filter((_, i) => children.has(`n${i + 1}`)).map((p) => p.monitor);

  const metaLeader = async (): Promise<string> => {
    let seen: string[] = [];
    await waitUntil(
      'the running nats-servers to agree on a JetStream meta leader',
      async () => {
        seen = await Promise.all(runningMonitors().map(metaLeaderSeenBy));
        return seen.length > 0 && seen[0] !== '' && seen.every((leader) => leader === seen[0]);
      },
      { timeoutMs: 60_000, intervalMs: 100, lastSeen: () => seen },
    );
    return seen[0] ?? '';
  };

  const nodes = ports.map((p, i): NatsClusterNode & { launch(): Promise<void> } => {
    const name = `n${i + 1}`;
    const launch = async (): Promise<void> => {
      const server = await launchNatsServer(['-c', join(root.dir, `${name}.conf`)], p.client);
      children.set(name, server.child);
    };
    const kill = async (): Promise<void> => {
      const running = children.get(name);
      children.delete(name);
      if (!running) return;
      running.kill('SIGKILL');
      await exited(running);
    };
    return {
      name,
      url: `nats://127.0.0.1:${p.client}`,
      running: () => children.has(name),
      kill,
      launch,
      restart: async () => {
        await kill();
        await launch();
        await metaLeader();
      },
    };
  });

  const url = nodes.map((n) => n.url).join(',');
  const clusterInfo = async (stream: string) => {
    client ??= connect({ servers: url.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const jsm = await jetstreamManager(await client, { timeout: 2_000 });
      return (await jsm.streams.info(stream)).cluster;
    } catch {
      // no leader yet, or the node we asked through is the one just killed
      return undefined;
    }
  };

  const harness: NatsClusterHarness = {
    url,
    nodes,
    node(name) {
      const found = nodes.find((n) => n.name === name);
      if (!found) throw new Error(`no node ${name} in this cluster (${nodes.map((n) => n.name).join(', ')})`);
      return found;
    },
    metaLeader,
    async streamLeader(stream) {
      return (await clusterInfo(stream))?.leader || undefined;
    },
    async streamReplicas(stream) {
      return ((await clusterInfo(stream))?.replicas ?? []).map((r) => ({
        name: r.name,
        current: r.current,
        lag: r.lag ?? 0,
      }));
    },
    async stop() {
      const connection = client;
      client = undefined;
      await (await connection?.catch(() => undefined))?.close();
      await Promise.all(nodes.map((n) => n.kill()));
      await root.remove();
    },
  };

  try {
    for (const [i, node] of nodes.entries()) {
      const storeDir = join(root.dir, node.name);
      await mkdir(storeDir, { recursive: true });
      const config = nodeConfig(
        node.name,
        ports[i] as Ports,
        storeDir,
        ports.map((q) => q.route),
      );
      await writeFile(join(root.dir, `${node.name}.conf`), config);
    }
    await Promise.all(nodes.map((n) => n.launch()));
    await metaLeader();
  } catch (error) {
    await harness.stop();
    throw error;
  }
  return harness;
};
