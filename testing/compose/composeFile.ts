import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

/** the parts of a compose service the specs read */
export type ComposeService = {
  image?: string;
  command?: string[] | string;
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  ports?: string[];
  volumes?: string[];
  networks?: Record<string, { aliases?: string[] } | null>;
};
export type ComposeFile = { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

export const repoRoot = join(import.meta.dirname, '../..');

/**
 * Test support: docker-compose.yml read as data (no Docker engine here), YAML merge keys
 * (`<<: *anchor`) applied as compose applies them.
 */
export const readCompose = (): ComposeFile =>
  parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;

/** compose's `${VAR:-default}` taken as its default, as a run without those variables would */
export const withDefaults = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));

/** the repository file a service mounts at `target` (the left side of `./x:/target[:ro]`) */
export const mountedFile = (service: ComposeService, target: string): string => {
  const mount = service.volumes?.find((v) => v.split(':')[1] === target);
  if (!mount) throw new Error(`the service mounts nothing at ${target}`);
  return join(repoRoot, mount.split(':')[0] ?? '');
};

/** an nginx config's `location` blocks (no nested blocks in them), comments dropped */
export const nginxLocations = (file: string): Map<string, string> => {
  const conf = readFileSync(file, 'utf8').replace(/#.*$/gm, '');
  return new Map([...conf.matchAll(/location\s+(\S+)\s*\{([^{}]*)\}/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
};

/** the values of one directive in a piece of nginx config */
export const nginxDirective = (conf: string, name: string): string[] =>
  [...conf.replace(/#.*$/gm, '').matchAll(new RegExp(`(?:^|[;{}\\s])${name}\\s+([^;]+);`, 'g'))].map((m) =>
    (m[1] ?? '').trim(),
  );

/** `nginx -t` on a whole config file: its status and what it printed */
export const nginxTest = (file: string): { status: number | null; stderr: string } => {
  const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((path) => existsSync(path));
  if (!nginx)
    throw new Error('nginx checks the gateway config here: apt-get install -y nginx-light (Debian), as .ci/run does');
  const prefix = mkdtempSync(join(tmpdir(), 'journey-nginx-'));
  try {
    const checked = spawnSync(nginx, ['-t', '-q', '-c', file, '-p', `${prefix}/`, '-e', 'stderr'], {
      encoding: 'utf8',
    });
    return { status: checked.status, stderr: checked.stderr };
  } finally {
    rmSync(prefix, { recursive: true, force: true });
  }
};
