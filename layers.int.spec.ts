import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = import.meta.dirname;

/**
 * The layer check (`npm run layers`) is a gate of `npm test`; this proves the gate closes:
 * in a scratch tree with the project's rules, each forbidden arrow is reported.
 */
describe('the layer check', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'journey-layers-'));
    for (const folder of ['domain', 'application', 'infrastructure/sqlite', 'projections']) {
      await mkdir(join(dir, folder), { recursive: true });
    }
    await copyFile(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    await writeFile(join(dir, 'infrastructure/sqlite/adapter.ts'), 'export const adapter = 1;\n');
    await writeFile(join(dir, 'domain/ok.ts'), "import { z } from 'zod';\nexport const ok = z.string();\n");
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const check = async (file: string, source: string) => {
    await writeFile(join(dir, file), source);
    const result = await run(
      join(root, 'node_modules/.bin/depcruise'),
      ['domain', 'application', 'projections', 'infrastructure', '--config', join(root, '.dependency-cruiser.cjs')],
      {
        cwd: dir,
        env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
      },
    ).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    await rm(join(dir, file));
    return result;
  };

  it('passes a clean tree', async () => {
    expect((await check('domain/clean.ts', 'export const clean = 1;\n')).code).toBe(0);
  });

  it('fails when domain/ uses a Node built-in', async () => {
    const { code, out } = await check(
      'domain/io.ts',
      "import { readFileSync } from 'node:fs';\nexport const io = readFileSync;\n",
    );
    expect(code).not.toBe(0);
    expect(out).toContain('domain-is-pure');
  });

  it('fails when application/ imports an adapter', async () => {
    const { code, out } = await check(
      'application/useCase.ts',
      "import { adapter } from '../infrastructure/sqlite/adapter.ts';\nexport const u = adapter;\n",
    );
    expect(code).not.toBe(0);
    expect(out).toContain('application-knows-domain-only');
  });

  it('fails when projections/ reaches into infrastructure/', async () => {
    const { code, out } = await check(
      'projections/p.ts',
      "import { adapter } from '../infrastructure/sqlite/adapter.ts';\nexport const p = adapter;\n",
    );
    expect(code).not.toBe(0);
    expect(out).toContain('projections-know-domain-and-application');
  });
});
