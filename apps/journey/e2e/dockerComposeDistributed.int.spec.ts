import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../../infrastructure/config/config.ts';
import {
  type ComposeService,
  mountedFile,
  nginxDirective,
  nginxLocations,
  nginxTest,
  readCompose,
  repoRoot,
  withDefaults,
} from '../../../testing/compose/composeFile.ts';
import { promtool } from '../../../testing/prometheus/promtool.ts';
import { type AppName, appNames } from '../appNames.ts';

/**
 * The "distributed" profile of docker-compose.yml, read as data (no Docker engine here): every
 * Journey process runs with the same settings and its own ops port, Prometheus scrapes exactly
 * those ports, the NATS nodes form one cluster, the gateway fronts the replicas, and Grafana's
 * data sources point at services that exist, on the ports they listen on.
 */

const compose = readCompose();
const inProfile = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('distributed'));
const service = (name: string): ComposeService => {
  const found = compose.services[name];
  if (!found?.profiles?.includes('distributed')) throw new Error(`no service ${name} in the distributed profile`);
  return found;
};
const appOf = (s: ComposeService): AppName | undefined => {
  const command = Array.isArray(s.command) ? s.command : [];
  const app = command[2] as AppName | undefined;
  return command[1] === 'bin/journey.js' && app !== undefined && appNames.includes(app) ? app : undefined;
};
const journeyServices = inProfile.filter(([, s]) => appOf(s) !== undefined);
const opsPortOf = (s: ComposeService): string => s.environment?.JOURNEY_OPS_PORT ?? '';
const without = (env: Record<string, string> = {}, name: string) =>
  Object.fromEntries(Object.entries(env).filter(([k]) => k !== name));
/** every `datasource: { uid }` in a dashboard: its panels' and their queries' */
const dataSourceUids = (node: unknown): string[] => {
  if (Array.isArray(node)) return node.flatMap(dataSourceUids);
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'datasource' && typeof value === 'object' && value !== null && 'uid' in value
      ? [String(value.uid)]
      : dataSourceUids(value),
  );
};
/** the port a service listens on inside its network, from the container side of `host:container` */
const containerPort = (s: ComposeService): string | undefined => s.ports?.[0]?.split(':').at(-1);

describe('docker-compose.yml, distributed profile', () => {
  it('runs every app as separate processes: two of each, three API replicas', () => {
    const count = (app: AppName) => journeyServices.filter(([, s]) => appOf(s) === app).length;
    expect(Object.fromEntries(appNames.map((app) => [app, count(app)]))).toEqual({
      collector: 2,
      mapper: 2,
      projector: 2,
      api: 3,
      alerter: 2,
      automator: 2,
      reporter: 2,
    });
    // one process a service: a service's replicas would share its ops port and its scrape target
    for (const [name, s] of journeyServices) expect(s.deploy?.replicas ?? 1, name).toBe(1);
  });

  it('gives every Journey process the same log, store and read-model settings, only its ops port its own', () => {
    const [first, ...rest] = journeyServices;
    const shared = without(first?.[1].environment, 'JOURNEY_OPS_PORT');
    for (const [name, s] of rest) {
      expect(without(s.environment, 'JOURNEY_OPS_PORT'), name).toEqual(shared);
      expect({ volumes: s.volumes, depends_on: s.depends_on, image: s.image }, name).toEqual({
        volumes: first?.[1].volumes,
        depends_on: first?.[1].depends_on,
        image: first?.[1].image,
      });
    }
    for (const setting of [
      'LOG_LEVEL',
      'LOG_FORMAT',
      'NATS_URL',
      'JOURNEY_RAW_REPLICAS',
      'EVENTSTORE_CONNECTION_STRING',
      'JOURNEY_DATABASE_URL',
      'JOURNEY_DATA_DIR',
      'SLACK_BOT_TOKEN',
      'JOURNEY_WRITE_KEYS',
      'JOURNEY_API_TOKEN',
    ])
      expect(Object.keys(shared)).toContain(setting);
    const known = new Set(Object.keys(configSchema.shape));
    for (const [name, s] of journeyServices) {
      const env = withDefaults(s.environment ?? {});
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        name,
      ).toEqual([]);
      expect(() => loadConfig(env), name).not.toThrow();
    }
  });

  it('points the stores at services of the profile, each waited for until healthy', () => {
    const env = withDefaults(journeyServices[0]?.[1].environment ?? {});
    const config = loadConfig(env);
    const natsHosts = (config.NATS_URL ?? '').split(',').map((u) => new URL(u).hostname);
    const esdb = new URL(config.EVENTSTORE_CONNECTION_STRING ?? '');
    const database = new URL(config.JOURNEY_DATABASE_URL ?? '');
    const stores = [...natsHosts, esdb.hostname, database.hostname];
    expect(stores).toEqual(['nats-1', 'nats-2', 'nats-3', 'eventstore', 'postgres']);
    for (const host of stores) {
      expect(service(host).healthcheck?.test.length, host).toBeGreaterThan(0);
      expect(journeyServices[0]?.[1].depends_on?.[host]?.condition, host).toBe('service_healthy');
    }
    expect(config.JOURNEY_RAW_REPLICAS).toBe(natsHosts.length);
    // the rate limit is split between the collectors, so their count is part of the shared settings
    const collectors = journeyServices.filter(([, s]) => appOf(s) === 'collector');
    expect(collectors.length).toBeGreaterThan(1);
    expect(config.JOURNEY_COLLECTOR_REPLICAS).toBe(collectors.length);
    const postgres = withDefaults(service('postgres').environment ?? {});
    expect(database.password).toBe(postgres.POSTGRES_PASSWORD);
    expect(database.pathname).toBe(`/${postgres.POSTGRES_DB}`);
  });

  it('gives every Journey process an ops port of its own, which its health check asks', () => {
    const ports = journeyServices.map(([, s]) => opsPortOf(s));
    expect(ports.every((p) => /^\d+$/.test(p))).toBe(true);
    expect(new Set(ports).size).toBe(ports.length);
    for (const [name, s] of journeyServices) {
      expect(opsPortOf(s), name).not.toBe(s.environment?.PORT);
      expect(s.healthcheck?.test.join(' '), name).toContain("'http://127.0.0.1:' + process.env.JOURNEY_OPS_PORT");
      expect(s.ports, `${name} publishes no port: the gateway and Prometheus reach it inside`).toBeUndefined();
    }
  });

  describe('Prometheus', () => {
    const prometheus = service('prometheus');
    const file = mountedFile(prometheus, '/etc/prometheus/prometheus.yml');
    type ScrapeConfig = {
      job_name: string;
      static_configs: { targets: string[]; labels?: Record<string, string> }[];
    };
    const scrape = parse(readFileSync(file, 'utf8')) as { scrape_configs: ScrapeConfig[] };

    it('is a config promtool accepts', () => {
      const checked = promtool(['check', 'config', file]);
      expect(checked, checked.output).toMatchObject({ status: 0 });
    });

    it("scrapes exactly the Journey processes' ops ports, each labelled with its app", () => {
      const targets = scrape.scrape_configs.flatMap((job) =>
        job.static_configs.flatMap((group) =>
          group.targets.map((target) => ({ job: job.job_name, target, app: group.labels?.app })),
        ),
      );
      const expected = journeyServices.map(([name, s]) => ({
        job: 'journey',
        target: `${name}:${opsPortOf(s)}`,
        app: appOf(s),
      }));
      const byTarget = (a: { target: string }, b: { target: string }) => a.target.localeCompare(b.target);
      expect(targets.sort(byTarget)).toEqual(expected.sort(byTarget));
    });
  });

  it('runs a NATS cluster of three JetStream nodes, each routed to all three, each on its own store', () => {
    const nodes = inProfile.filter(([, s]) => s.image?.startsWith('nats:'));
    expect(nodes.map(([name]) => name)).toEqual(['nats-1', 'nats-2', 'nats-3']);
    const flag = (command: string[], name: string) => command[command.indexOf(name) + 1];
    const clusters = new Set<string | undefined>();
    const stores = new Set<string | undefined>();
    for (const [name, s] of nodes) {
      const command = Array.isArray(s.command) ? s.command : [];
      expect(command, name).toContain('-js');
      expect(flag(command, '--name'), name).toBe(name);
      const listen = new URL(flag(command, '--cluster') ?? '');
      const routes = (flag(command, '--routes') ?? '').split(',').map((r) => new URL(r));
      expect(routes.map((r) => `${r.hostname}:${r.port}`).sort(), name).toEqual(
        nodes.map(([node]) => `${node}:${listen.port}`).sort(),
      );
      expect(s.healthcheck?.test.join(' '), name).toContain(`http://127.0.0.1:${flag(command, '-m')}/healthz`);
      clusters.add(flag(command, '--cluster_name'));
      stores.add(s.volumes?.find((v) => v.endsWith(`:${flag(command, '-sd')}`)));
    }
    expect(clusters.size).toBe(1);
    expect(stores.size).toBe(3);
  });

  describe('the gateway', () => {
    const gateway = service('gateway');
    const file = mountedFile(gateway, '/etc/nginx/nginx.conf');
    const locations = nginxLocations(file);
    const conf = readFileSync(file, 'utf8');
    const listen = nginxDirective(conf, 'listen')[0];
    /** the host:port a location proxies to, through the variable that makes nginx resolve it again */
    const upstreamOf = (path: string): URL => {
      const block = locations.get(path) ?? '';
      const [target] = nginxDirective(block, 'proxy_pass');
      expect(target).toMatch(/^\$\w+$/);
      const set = nginxDirective(block, 'set').find((s) => s.startsWith(`${target} `));
      return new URL(set?.slice((target ?? '').length).trim() ?? '');
    };
    const carrying = (alias: string) =>
      inProfile.filter(([, s]) => s.networks?.default?.aliases?.includes(alias)).map(([name]) => name);

    it('is a config nginx accepts (nginx -t), re-resolving names through Docker DNS', () => {
      expect(nginxTest(file)).toEqual({ status: 0, stderr: '' });
      expect(nginxDirective(conf, 'resolver')[0]).toMatch(/^127\.0\.0\.11\b/);
    });

    it('sends everything but /v1/ to the three API replicas, by a name only they carry', () => {
      const api = upstreamOf('/');
      const replicas = journeyServices.filter(([, s]) => appOf(s) === 'api').map(([name]) => name);
      expect(carrying(api.hostname)).toEqual(replicas);
      expect(replicas).toHaveLength(3);
      for (const name of replicas) {
        expect(api.port).toBe(service(name).environment?.PORT);
        expect(gateway.depends_on?.[name]?.condition).toBe('service_healthy');
      }
    });

    it("sends the collector's /v1/ to the two collectors, by a name only they carry", () => {
      const collector = upstreamOf('/v1/');
      const collectors = journeyServices.filter(([, s]) => appOf(s) === 'collector').map(([name]) => name);
      expect(carrying(collector.hostname)).toEqual(collectors);
      for (const name of collectors) {
        expect(collector.port).toBe(service(name).environment?.PORT);
        expect(gateway.depends_on?.[name]?.condition).toBe('service_healthy');
      }
    });

    it('publishes one port, the one nginx listens on, and is healthy while /healthz answers through it', () => {
      expect(gateway.ports).toEqual([expect.stringMatching(new RegExp(`^\\d+:${listen}$`))]);
      expect(gateway.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${listen}/healthz`);
    });
  });

  describe('Grafana', () => {
    const grafana = service('grafana-distributed');
    const env = withDefaults(grafana.environment ?? {});
    const mounts = (dir: string) =>
      (grafana.volumes ?? [])
        .map((v) => v.split(':'))
        .filter(([, target]) => target?.startsWith(dir))
        .map(([source]) => join(repoRoot, source ?? ''));
    type DataSource = { uid: string; type: string; url: string; user?: string; jsonData?: { database?: string } };
    const dataSources = mounts('/etc/grafana/provisioning/datasources/').flatMap(
      (file) => (parse(readFileSync(file, 'utf8')) as { datasources: DataSource[] }).datasources,
    );
    /** Grafana expands ${VAR} in provisioning files from its environment */
    const expand = (text: string) => text.replace(/\$\{(\w+)\}/g, (_all, name: string) => env[name] ?? '');

    it('has Prometheus, PostgreSQL and the API as data sources', () => {
      expect(dataSources.map((d) => d.type).sort()).toEqual([
        'grafana-postgresql-datasource',
        'prometheus',
        'yesoreyeram-infinity-datasource',
      ]);
    });

    it('points each data source at a service of the profile, on the port it listens on, waited for', () => {
      const listens: Record<string, string | undefined> = {
        prometheus: containerPort(service('prometheus')),
        gateway: nginxDirective(
          readFileSync(mountedFile(service('gateway'), '/etc/nginx/nginx.conf'), 'utf8'),
          'listen',
        )[0],
        postgres: containerPort(service('postgres')),
      };
      for (const source of dataSources) {
        const url = expand(source.url);
        // PostgreSQL's is host:port, the others URLs
        const { hostname, port } = new URL(url.includes('://') ? url : `postgres://${url}`);
        expect(Object.keys(listens), source.uid).toContain(hostname);
        expect(port, source.uid).toBe(listens[hostname]);
        expect(grafana.depends_on?.[hostname]?.condition, source.uid).toBe('service_healthy');
      }
      const sql = dataSources.find((d) => d.type === 'grafana-postgresql-datasource');
      // the read-only login deploy/postgres/journey-reader.sh creates, on Journey's database
      expect(sql?.user).toBe('grafana');
      expect(sql?.jsonData?.database).toBe(withDefaults(service('postgres').environment ?? {}).POSTGRES_DB);
      expect(grafana.environment?.GRAFANA_POSTGRES_PASSWORD).toBe(
        service('postgres').environment?.GRAFANA_POSTGRES_PASSWORD,
      );
    });

    it('loads dashboards from the folders it mounts, each using only data sources it has', () => {
      type Provider = { options: { path: string } };
      const providers = mounts('/etc/grafana/provisioning/dashboards/').flatMap(
        (file) => (parse(readFileSync(file, 'utf8')) as { providers: Provider[] }).providers,
      );
      const uids = new Set(dataSources.map((d) => d.uid));
      const used = new Set<string>();
      for (const { options } of providers) {
        const [dir] = mounts(options.path);
        expect(dir, options.path).toBeDefined();
        for (const file of readdirSync(dir ?? '').filter((f) => f.endsWith('.json')))
          for (const uid of dataSourceUids(JSON.parse(readFileSync(join(dir ?? '', file), 'utf8')))) used.add(uid);
      }
      expect([...used].sort()).toEqual([...uids].sort());
    });
  });
});
