import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildSdk } from '../../infrastructure/http/sdkBundle.ts';

/**
 * `npm run sdk:build`: writes the SDK to apps/browser-sdk/dist/ (gitignored) for hosting it
 * on a CDN. The collector does not need this: it builds the same files in memory for
 * `/sdk.js` and `/sdk.mjs`.
 */
const dist = fileURLToPath(new URL('./dist/', import.meta.url));
await mkdir(dist, { recursive: true });
for (const [format, file] of [
  ['iife', 'journey.js'],
  ['esm', 'journey.mjs'],
] as const) {
  const code = await buildSdk(format);
  await writeFile(`${dist}${file}`, code);
  process.stdout.write(
    `${dist}${file}: ${code.length.toLocaleString('en-US')} bytes, ${gzipSync(code).length.toLocaleString('en-US')} gzipped\n`,
  );
}
