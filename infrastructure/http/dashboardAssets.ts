import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The dashboard's page, stylesheet and script: assets of the API, not code it runs, so they
 * are named by path (infrastructure/ must not import apps/). The script is TypeScript
 * bundled in memory by esbuild; nothing generated is committed and no build server runs.
 */
const DASHBOARD_DIR = fileURLToPath(new URL('../../apps/dashboard/', import.meta.url));

export type DashboardAsset = { readonly body: string; readonly type: string; readonly etag: string };
export type DashboardAssets = {
  readonly page: DashboardAsset;
  readonly css: DashboardAsset;
  readonly js: DashboardAsset;
};

const asset = (body: string, type: string): DashboardAsset => ({
  body,
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
});

const bundleScript = async (): Promise<string> => {
  const entry = `${DASHBOARD_DIR}main.ts`;
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return file.text;
};

export const buildDashboardAssets = async (): Promise<DashboardAssets> => {
  const [page, css, js] = await Promise.all([
    readFile(`${DASHBOARD_DIR}index.html`, 'utf8'),
    readFile(`${DASHBOARD_DIR}dashboard.css`, 'utf8'),
    bundleScript(),
  ]);
  return {
    page: asset(page, 'text/html; charset=utf-8'),
    css: asset(css, 'text/css; charset=utf-8'),
    js: asset(js, 'text/javascript; charset=utf-8'),
  };
};

let cached: Promise<DashboardAssets> | undefined;

/** Built on the first request and kept; a failed build is not kept, so the next request retries. */
export const cachedDashboardAssets = (): Promise<DashboardAssets> => {
  if (cached === undefined) {
    const building = buildDashboardAssets();
    cached = building;
    building.catch(() => {
      if (cached === building) cached = undefined;
    });
  }
  return cached;
};
