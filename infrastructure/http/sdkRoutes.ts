import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cachedSdk, type SdkFormat } from './sdkBundle.ts';

/**
 * Unversioned URLs, so a short max-age plus an ETag: browsers revalidate cheaply and a new
 * SDK reaches every page within minutes of a deploy.
 */
const CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400';

/**
 * `GET /sdk.js` (the IIFE for a script tag, defines `window.journey`) and `GET /sdk.mjs`
 * (the ES module). Built on the first request; an ESM import from another origin is a CORS
 * request, hence the allow-origin header.
 */
export const registerSdkRoutes = (
  app: FastifyInstance,
  allowOrigin: (requestOrigin: string | undefined) => string | undefined,
): void => {
  const etags = new Map<string, string>();
  const serve = (format: SdkFormat) => async (request: FastifyRequest, reply: FastifyReply) => {
    const code = await cachedSdk(format);
    let etag = etags.get(code);
    if (etag === undefined) {
      etag = `"${createHash('sha256').update(code).digest('base64url').slice(0, 27)}"`;
      etags.clear();
      etags.set(code, etag);
    }
    const origin = allowOrigin(request.headers.origin);
    if (origin !== undefined) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    reply.header('cache-control', CACHE_CONTROL).header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('text/javascript; charset=utf-8').send(code);
  };
  app.get('/sdk.js', serve('iife'));
  app.get('/sdk.mjs', serve('esm'));
};
