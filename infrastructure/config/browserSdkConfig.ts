/**
 * Configuration of the browser SDK's collector side (issue 8): zod fields merged into the one
 * config schema. Empty until the SDK lands.
 */
export const browserSdkConfigShape = {};
