import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';

/**
 * Segment's analytics.js as a customer installs it from npm (`@segment/analytics-next`),
 * bundled unchanged with esbuild. Only `window.AnalyticsBrowser` is added, for the page's script.
 */
const bundleAnalyticsNext = async (): Promise<string> => {
  const result = await build({
    stdin: {
      contents:
        "import { AnalyticsBrowser } from '@segment/analytics-next'; window.AnalyticsBrowser = AnalyticsBrowser;",
      resolveDir: import.meta.dirname,
      loader: 'js',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no bundle of @segment/analytics-next');
  return file.text;
};

/**
 * The settings Segment's CDN would serve for the write key, given inline: the page runs
 * without internet, and `Segment.io.apiHost` is how analytics.js is pointed at another host.
 */
export const cdnSettingsFor = (writeKey: string, collectorUrl: string) => {
  const { host, protocol } = new URL(collectorUrl);
  return {
    integrations: { 'Segment.io': { apiKey: writeKey, apiHost: `${host}/v1`, protocol: protocol.replace(':', '') } },
    // its own usage metrics would go to api.segment.io whatever apiHost says
    metrics: { sampleRate: 0 },
  };
};

const page = (writeKey: string, collectorUrl: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Pricing · Test shop</title></head>
<body>
  <h1>Pricing</h1>
  <script src="/analytics.js"></script>
  <script>
    window.analytics = AnalyticsBrowser.load({
      writeKey: ${JSON.stringify(writeKey)},
      cdnSettings: ${JSON.stringify(cdnSettingsFor(writeKey, collectorUrl))},
    });
  </script>
</body></html>`;

export type AnalyticsNextSite = { readonly url: string; close(): Promise<void> };

/**
 * The customer's site, on another origin than the collector (another port), so every post is
 * cross-origin as in production. Every path under /shop/ answers the same page.
 */
export const startAnalyticsNextSite = async (writeKey: string, collectorUrl: string): Promise<AnalyticsNextSite> => {
  const bundle = await bundleAnalyticsNext();
  const server: Server = createServer((request, response) => {
    if (request.url === '/analytics.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    } else if (request.url?.startsWith('/shop/')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(writeKey, collectorUrl));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
