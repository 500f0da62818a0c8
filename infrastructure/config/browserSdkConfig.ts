import { z } from 'zod';

const ORIGIN = /^https?:\/\/[^/\s?#]+$/;

/**
 * Configuration of the browser SDK's collector side: zod fields merged into the one
 * config schema. `JOURNEY_CORS_ORIGINS` lists the origins whose pages may post events and
 * import `/sdk.mjs`; `*` (the default) allows any, since the write key is what authorizes.
 */
export const browserSdkConfigShape = {
  JOURNEY_CORS_ORIGINS: z
    .string()
    .default('*')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim().replace(/\/+$/, ''))
        .filter((x) => x !== ''),
    )
    .refine((origins) => origins.length > 0, 'must list at least one origin, or be * for any')
    .refine(
      (origins) => origins.every((o) => o === '*' || ORIGIN.test(o)),
      'must be * or comma-separated origins such as https://app.example.com,http://localhost:3000 (scheme, host, optional port; no path)',
    ),
};
