import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export type SdkFormat = 'iife' | 'esm';

/**
 * The browser SDK's source is an asset of the collector, not code it runs, so it is named by
 * path rather than imported (infrastructure/ must not import apps/).
 */
const SDK_DIR = fileURLToPath(new URL('../../apps/browser-sdk/', import.meta.url));
const ENTRY: Record<SdkFormat, string> = { iife: `${SDK_DIR}iife.ts`, esm: `${SDK_DIR}journey.ts` };

/** Builds the SDK in memory with esbuild (tens of milliseconds); nothing generated is committed. */
export const buildSdk = async (format: SdkFormat, minify = true): Promise<string> => {
  const result = await build({
    entryPoints: [ENTRY[format]],
    bundle: true,
    write: false,
    format,
    minify,
    // browsers from 2020 on: optional chaining and ?? stay as written, which keeps the bundle small
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced no ${format} output for ${ENTRY[format]}`);
  return file.text;
};

const cache = new Map<SdkFormat, Promise<string>>();

/** Built on the first request and kept; a failed build is not cached, so the next request retries. */
export const cachedSdk = (format: SdkFormat): Promise<string> => {
  let built = cache.get(format);
  if (built === undefined) {
    built = buildSdk(format);
    cache.set(format, built);
    built.catch(() => cache.delete(format));
  }
  return built;
};
