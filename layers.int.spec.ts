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
    for (const folder of ['domain', 'application', 'infrastructure/sqlite', 'projections', 'apps/cli', 'testing']) {
      await mkdir(join(dir, folder), { recursive: true });
    }
    await copyFile(join(root, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    await writeFile(join(dir, 'infrastructure/sqlite/adapter.ts'), 'export const adapter = 1;\n');
    await writeFile(join(dir, 'domain/ok.ts'), "import { z } from 'zod';\nexport const ok = z.string();\n");
    // the product entry reaches the adapter, so the clean tree has no file that only specs use
    await writeFile(
      join(dir, 'apps/cli/main.ts'),
      "import { adapter } from '../../infrastructure/sqlite/adapter.ts';\nexport const main = adapter;\n",
    );
    await writeFile(join(dir, 'testing/fake.ts'), 'export const fake = 1;\n');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** writes `file` (and `also`, such as a spec beside it), runs the check, removes them again */
  const check = async (file: string, source: string, also: Record<string, string> = {}) => {
    const files = { [file]: source, ...also };
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const result = await run(
      join(root, 'node_modules/.bin/depcruise'),
      [
        'domain',
        'application',
        'projections',
        'infrastructure',
        'apps',
        '--config',
        join(root, '.dependency-cruiser.cjs'),
      ],
      {
        cwd: dir,
        env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
      },
    ).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    for (const name of Object.keys(files)) await rm(join(dir, name));
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

  it('fails when product code imports testing/, and lets a spec do so', async () => {
    const usesFake = "import { fake } from '../../testing/fake.ts';\nexport const f = fake;\n";
    const { code, out } = await check('infrastructure/sqlite/usesFake.ts', usesFake);
    expect(code).not.toBe(0);
    expect(out).toContain('product-never-imports-testing');
    expect(out).toContain('infrastructure/sqlite/usesFake.ts → testing/fake.ts');
    expect((await check('infrastructure/sqlite/adapter.int.spec.ts', usesFake)).code).toBe(0);
  });

  it('fails naming a file of infrastructure/ that only a spec uses', async () => {
    const { code, out } = await check('infrastructure/sqlite/onlyForSpecs.ts', 'export const only = 1;\n', {
      'infrastructure/sqlite/onlyForSpecs.int.spec.ts':
        "import { only } from './onlyForSpecs.ts';\nexport const o = only;\n",
    });
    expect(code).not.toBe(0);
    expect(out).toContain('no-test-only-product-code: infrastructure/sqlite/onlyForSpecs.ts');
  });
});
