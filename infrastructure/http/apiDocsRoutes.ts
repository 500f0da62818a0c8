import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { docsAssets } from './apiDescription.ts';
import { openApiDocument } from './openApi.ts';
import { validateRequest } from './validateRequest.ts';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assetParams = z.object({ asset: z.enum(docsAssets) });
const contentTypes: Record<(typeof docsAssets)[number], string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Journey API</title>
  <link rel="stylesheet" href="/api/docs/swagger-ui.css">
</head>
<body>
  <div id="docs"></div>
  <script src="/api/docs/swagger-ui-bundle.js"></script>
  <script>
    // "Authorize" takes the API token; requests from "Try it out" then carry it
    window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#docs', deepLinking: true });
  </script>
</body>
</html>
`;

/**
 * The OpenAPI document and its docs page (Swagger UI, served from the swagger-ui-dist
 * package, so the page works without internet access). Open, without the API token: they
 * describe the API, they show no data.
 */
export const registerApiDocsRoutes = (app: FastifyInstance): void => {
  const document = JSON.stringify(openApiDocument());
  const assets = new Map<string, Promise<Buffer>>();
  const assetOf = (name: string) => {
    let content = assets.get(name);
    if (!content) {
      content = readFile(join(swaggerUiDir, name));
      assets.set(name, content);
    }
    return content;
  };

  app.get('/api/openapi.json', async (_request, reply) =>
    reply.header('content-type', 'application/json; charset=utf-8').send(document),
  );
  app.get('/api/docs', async (_request, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(PAGE));
  app.get('/api/docs/:asset', async (request, reply) => {
    const { asset } = validateRequest(assetParams, request.params, 'path');
    return reply
      .header('content-type', contentTypes[asset])
      .header('cache-control', 'public, max-age=86400')
      .send(await assetOf(asset));
  });
};
