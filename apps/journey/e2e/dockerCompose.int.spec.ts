import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../../infrastructure/config/config.ts';
import { appNames } from '../startJourney.ts';

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

const file = fileURLToPath(new URL('../../../docker-compose.yml', import.meta.url));
const compose = parse(readFileSync(file, 'utf8'), { merge: true }) as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const withDefaults = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
const known = new Set(Object.keys(configSchema.shape));

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
    for (const app of ['collector', 'mapper']) expect(service(app).depends_on?.nats?.condition).toBe('service_healthy');
  });

  it('gives every app a health check: /healthz on its own port for HTTP apps, the journey process for the others', () => {
    for (const app of ['collector', 'api']) {
      const s = service(app);
      const port = s.environment?.PORT;
      expect(s.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
      expect(s.ports?.some((p) => p.endsWith(`:${port}`))).toBe(true);
    }
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
