import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSdk } from '../../infrastructure/http/sdkBundle.ts';

export type SiteOptions = {
  /** where the page loads the SDK from: the collector's /sdk.js, or this site's own copy */
  readonly sdkSrc: string;
  /** the object literal given to journey.init */
  readonly init: Record<string, unknown>;
  /** load `sdkSrc` as an ES module (`/sdk.mjs`) instead of a classic script */
  readonly module?: boolean;
};

const classicSdk = (options: SiteOptions) => `<script src="${options.sdkSrc}"></script>
  <script>
    journey.init(${JSON.stringify(options.init)});`;

const moduleSdk = (options: SiteOptions) => `<script type="module">
    import { journey } from '${options.sdkSrc}';
    window.journey = journey;
    journey.init(${JSON.stringify(options.init)});`;

const html = (options: SiteOptions) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Test shop</title></head>
<body>
  <main>
    <button id="buy" type="button">
      Buy   now
    </button>
    <nav><a href="/app/pricing" id="pricing-link">Pricing</a></nav>
  </main>
  ${options.module === true ? moduleSdk(options) : classicSdk(options)}
    // a single-page app: links change the route with pushState, no page load
    document.getElementById('pricing-link').addEventListener('click', (event) => {
      event.preventDefault();
      history.pushState({}, '', event.currentTarget.getAttribute('href'));
    });
  </script>
</body></html>`;

export type TestSite = { readonly url: string; options: SiteOptions; close(): Promise<void> };

/**
 * The customer's web app: another origin than the collector, so every post is cross-origin
 * as in production. Every path under /app/ answers the same page, as an SPA's server does.
 */
export const startTestSite = async (options: SiteOptions): Promise<TestSite> => {
  const ownSdk = await buildSdk('iife');
  const site = { options } as { options: SiteOptions };
  const server: Server = createServer((request, response) => {
    if (request.url === '/sdk.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(ownSdk);
    } else if (request.url?.startsWith('/app/')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(site.options));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(site, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
};
