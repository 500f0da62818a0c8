import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../../infrastructure/config/config.ts';
import { appNames } from '../appNames.ts';

/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is read as data: the NATS
 * services exist, each has a health check that asks something real, the apps run the CLI's
 * commands, and every environment variable is one the config schema knows, with values it
 * accepts (compose's `${VAR:-default}` taken as its default).
 */

type Service = {
  image?: string;
  command?: string[] | string;
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  ports?: string[];
  volumes?: string[];
};
type Compose = { services: Record<string, Service>; volumes: Record<string, unknown> };

const repo = join(import.meta.dirname, '../../..');
const compose = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const withDefaults = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
const known = new Set(Object.keys(configSchema.shape));

/** the gateway's nginx.conf as compose mounts it, and the values of one directive in it */
const gatewayMount = (): string =>
  service('api-gateway').volumes?.find((v) => v.split(':')[1] === '/etc/nginx/nginx.conf') ?? '';
const nginxDirective = (name: string): string[] => {
  const conf = readFileSync(join(repo, gatewayMount().split(':')[0] ?? ''), 'utf8').replace(/#.*$/gm, '');
  return [...conf.matchAll(new RegExp(`(?:^|[;{}\\s])${name}\\s+([^;]+);`, 'g'))].map((m) => (m[1] ?? '').trim());
};

describe('docker-compose.yml, NATS profile', () => {
  it('runs nats-server with JetStream and checks its monitoring /healthz', () => {
    const nats = service('nats');
    expect(nats.command).toEqual(expect.arrayContaining(['-js', '-m', '8222']));
    expect(nats.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8222/healthz');
  });

  it('runs each app as its own process with the CLI command of its name, two mappers', () => {
    for (const app of appNames) {
      const s = service(app);
      expect(s.profiles).toEqual(['nats']);
      expect(s.command).toEqual(['node', 'bin/journey.js', app]);
      expect(s.depends_on?.['journey-install']?.condition).toBe('service_completed_successfully');
    }
    expect(service('mapper').deploy?.replicas).toBe(2);
    expect(service('alerter').deploy?.replicas, 'a standby alerter under the lease').toBe(2);
    for (const app of ['collector', 'mapper']) expect(service(app).depends_on?.nats?.condition).toBe('service_healthy');
  });

  it('gives every app a health check: /healthz on its own port for HTTP apps, the journey process for the others', () => {
    for (const app of ['collector', 'api']) {
      const s = service(app);
      expect(s.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${s.environment?.PORT}/healthz`);
    }
    expect(service('collector').ports?.some((p) => p.endsWith(`:${service('collector').environment?.PORT}`))).toBe(
      true,
    );
    for (const app of ['mapper', 'projector', 'alerter', 'reporter'])
      expect(service(app).healthcheck?.test).toEqual(['CMD-SHELL', "grep -qa 'bin/journey.js' /proc/1/cmdline"]);
  });

  it('sets only variables the config schema knows, to values it accepts, with NATS_URL on the nats service', () => {
    for (const app of appNames) {
      const env = withDefaults(service(app).environment ?? {});
      expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
      expect(() => loadConfig(env)).not.toThrow();
      if (app === 'collector' || app === 'mapper') expect(loadConfig(env).NATS_URL).toBe('nats://nats:4222');
    }
  });

  it('declares every named volume it mounts', () => {
    for (const [name, s] of Object.entries(compose.services))
      for (const volume of s.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (!source.startsWith('.') && !source.startsWith('/'))
          expect(Object.keys(compose.volumes), `${name} mounts ${source}`).toContain(source);
      }
  });
});

describe('docker-compose.yml, NATS profile on PostgreSQL', () => {
  const postgres = service('postgres');
  const postgresEnv = withDefaults(postgres.environment ?? {});

  it('runs PostgreSQL 16 or 17 on a named volume, checked with pg_isready, its password from the environment', () => {
    expect(postgres.image).toMatch(/^postgres:1[67](\b|$)/);
    // the distributed profile shares it (dockerComposeDistributed.int.spec.ts)
    expect(postgres.profiles).toEqual(['nats', 'distributed']);
    expect(postgres.healthcheck?.test.join(' ')).toContain(
      `pg_isready -U ${postgresEnv.POSTGRES_USER} -d ${postgresEnv.POSTGRES_DB}`,
    );
    expect(postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(postgres.environment?.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:-.+\}$/);
    // the port is for analysts on this host only: the defaults are for a local trial
    expect(postgres.ports).toEqual(['127.0.0.1:5432:5432']);
  });

  it("gives Grafana's read-only login its password from the environment when the volume is initialised", () => {
    const script = postgres.volumes?.find((v) => v.includes(':/docker-entrypoint-initdb.d/'));
    const source = script?.split(':')[0] ?? '';
    expect(source).toBe('./deploy/postgres/journey-reader.sh');
    const text = readFileSync(join(repo, source), 'utf8');
    expect(text).toContain('IN ROLE journey_reader');
    expect(postgres.environment?.GRAFANA_POSTGRES_PASSWORD).toMatch(/^\$\{GRAFANA_POSTGRES_PASSWORD:-.+\}$/);
    expect(text).toContain('$GRAFANA_POSTGRES_PASSWORD');
  });

  it('runs every app with one environment: the same PostgreSQL, NATS and data directory', () => {
    const first = service(appNames[0]).environment;
    for (const app of appNames) expect(service(app).environment, app).toEqual(first);
    const env = withDefaults(first ?? {});
    const url = new URL(env.JOURNEY_DATABASE_URL ?? '');
    expect({ host: url.host, user: url.username, password: url.password, database: url.pathname }).toEqual({
      host: 'postgres:5432',
      user: postgresEnv.POSTGRES_USER,
      password: postgresEnv.POSTGRES_PASSWORD,
      database: `/${postgresEnv.POSTGRES_DB}`,
    });
    // the unexpanded password is the same compose variable as the server's
    expect(first?.JOURNEY_DATABASE_URL).toContain(postgres.environment?.POSTGRES_PASSWORD);
    expect(env.NATS_URL).toBe('nats://nats:4222');
    for (const app of appNames) {
      expect(service(app).volumes, app).toContain(`journey-nats-data:${env.JOURNEY_DATA_DIR}`);
      expect(service(app).depends_on?.postgres?.condition, app).toBe('service_healthy');
    }
  });

  it('runs the API as three replicas without a host port', () => {
    const api = service('api');
    expect(api.deploy?.replicas).toBe(3);
    expect(api.ports).toBeUndefined();
  });

  describe('the API gateway', () => {
    const gateway = service('api-gateway');
    const listen = nginxDirective('listen')[0];

    it('runs nginx in the nats profile with the config file kept in the repository', () => {
      expect(gateway.image).toMatch(/^nginx:/);
      expect(gateway.profiles).toEqual(['nats']);
      expect(gatewayMount()).toMatch(/^\.\/deploy\/nginx\/nginx\.conf:\/etc\/nginx\/nginx\.conf(:ro)?$/);
    });

    it('is a config nginx accepts (nginx -t)', () => {
      const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
      if (!nginx)
        throw new Error(
          'nginx checks the gateway config here: apt-get install -y nginx-light (Debian), as .ci/run does',
        );
      const prefix = mkdtempSync(join(tmpdir(), 'journey-nginx-'));
      try {
        const conf = join(repo, gatewayMount().split(':')[0] ?? '');
        const checked = spawnSync(nginx, ['-t', '-q', '-c', conf, '-p', `${prefix}/`, '-e', 'stderr'], {
          encoding: 'utf8',
        });
        expect({ status: checked.status, stderr: checked.stderr }).toEqual({ status: 0, stderr: '' });
      } finally {
        rmSync(prefix, { recursive: true, force: true });
      }
    });

    it('publishes one port, the one nginx listens on', () => {
      expect(nginxDirective('listen')).toHaveLength(1);
      expect(gateway.ports).toHaveLength(1);
      expect(gateway.ports?.[0]).toMatch(new RegExp(`^\\d+:${listen}$`));
    });

    it('proxies to the api service on its port, resolved again through Docker DNS', () => {
      const [target] = nginxDirective('proxy_pass');
      // proxy_pass through a variable is what makes nginx re-resolve the name
      expect(target).toMatch(/^\$\w+$/);
      const set = nginxDirective('set').find((s) => s.startsWith(`${target} `));
      const upstream = new URL(set?.slice((target ?? '').length).trim() ?? '');
      expect(upstream.hostname).toBe('api');
      expect(upstream.port).toBe(service('api').environment?.PORT);
      expect(nginxDirective('resolver')[0]).toMatch(/^127\.0\.0\.11\b/);
    });

    it('starts once the replicas are healthy, and is healthy while /healthz answers through it', () => {
      expect(gateway.depends_on?.api?.condition).toBe('service_healthy');
      expect(gateway.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${listen}/healthz`);
    });
  });

  it('points Grafana at the gateway and at PostgreSQL, with the password the login was created with', () => {
    const grafana = service('grafana');
    expect(grafana.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(grafana.depends_on?.['api-gateway']?.condition).toBe('service_healthy');
    expect(grafana.environment?.JOURNEY_URL).toBe(`http://api-gateway:${nginxDirective('listen')[0]}`);
    expect(grafana.environment?.JOURNEY_POSTGRES_HOST).toBe('postgres:5432');
    expect(grafana.environment?.GRAFANA_POSTGRES_PASSWORD).toBe(postgres.environment?.GRAFANA_POSTGRES_PASSWORD);
    const source = readFileSync(join(repo, 'grafana/provisioning/datasources/journey-sql.yaml'), 'utf8');
    expect(source).toMatch(/url:\s*\$\{JOURNEY_POSTGRES_HOST\}/);
    expect(source).toMatch(/password:\s*\$\{GRAFANA_POSTGRES_PASSWORD\}/);
    expect(source).toMatch(new RegExp(`database:\\s*${postgresEnv.POSTGRES_DB}\\s`));
    // the login deploy/postgres/journey-reader.sh creates
    expect(source).toMatch(/user:\s*grafana\s/);
  });
});
