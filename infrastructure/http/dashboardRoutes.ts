import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cachedDashboardAssets, type DashboardAssets } from './dashboardAssets.ts';

/**
 * The page holds the API token in localStorage, so it allows only its own script and style
 * and talks only to its own origin: an injected script or a framing page gets nothing.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * `GET /` and the dashboard's app.css and app.js, without the token: they hold no data, and the page
 * asks for the token before calling /api. Unversioned URLs revalidate with the ETag; built on the
 * first request, so a dashboard nobody opens costs nothing.
 */
export const registerDashboardRoutes = (app: FastifyInstance): void => {
  const serve =
    (pick: (assets: DashboardAssets) => DashboardAssets['page']) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const asset = pick(await cachedDashboardAssets());
      reply
        .header('cache-control', 'no-cache')
        .header('etag', asset.etag)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('referrer-policy', 'no-referrer');
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.type(asset.type).send(asset.body);
    };
  app.get(
    '/',
    serve((a) => a.page),
  );
  app.get(
    '/dashboard/app.css',
    serve((a) => a.css),
  );
  app.get(
    '/dashboard/app.js',
    serve((a) => a.js),
  );
};
