import { gzipSync } from 'node:zlib';
import { buildSdk } from '../infrastructure/http/sdkBundle.ts';

export type SdkSize = { readonly raw: number; readonly gzip: number };

/** The browser SDK's script-tag bundle as the collector serves it (`/sdk.js`), in bytes. */
export const sdkSize = async (): Promise<SdkSize> => {
  const code = await buildSdk('iife');
  return { raw: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).length };
};
