import { z } from 'zod';
import { apiDescription, type DescribedRoute } from './apiDescription.ts';
import { errorAnswer } from './apiSchemas.ts';

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 (what OpenAPI 3.1 embeds) of a zod schema, as the route's output */
const jsonSchemaOf = (schema: z.ZodType): JsonSchema => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const parametersOf = (schema: z.ZodObject | undefined, where: 'path' | 'query' | 'header') => {
  if (!schema) return [];
  const json = jsonSchemaOf(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
    };
  });
};

const ERROR_TEXT = {
  400: 'a parameter is invalid: `message` names it and says why, `issues` lists each field and reason',
  401: 'no API token, or a wrong one: send `Authorization: Bearer <token>`',
  404: 'not found',
  503: 'a store is unavailable right now; retry after the `Retry-After` seconds',
} as const;

const errorResponse = (status: keyof typeof ERROR_TEXT) => ({
  description: ERROR_TEXT[status],
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const okResponse = ({ answer, messages }: DescribedRoute) => {
  if (answer === 'html')
    return { description: 'an HTML page', content: { 'text/html': { schema: { type: 'string' } } } };
  if (answer === 'asset') return { description: 'a CSS or JavaScript file', content: { '*/*': { schema: {} } } };
  if (answer === 'event-stream')
    return {
      description: 'a stream of `id:`, `event:` and `data:` messages; `data` is JSON (`x-data-schema`)',
      // OpenAPI 3.1 has no word for the items of a stream (3.2's itemSchema); an extension says it
      content: {
        'text/event-stream': { schema: { type: 'string' }, 'x-data-schema': messages ? jsonSchemaOf(messages) : {} },
      },
    };
  return { description: 'OK', content: { 'application/json': { schema: jsonSchemaOf(answer) } } };
};

/** fastify's `/users/:userId` is OpenAPI's `/users/{userId}` */
export const openApiPathOf = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The OpenAPI 3.1 document of the query API, generated from the route list and its zod
 * schemas (z.toJSONSchema), so what is documented is what is validated.
 */
export const openApiDocument = (routes: readonly DescribedRoute[] = apiDescription): Record<string, unknown> => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = { 200: okResponse(route) };
    if (!route.open) responses[401] = errorResponse(401);
    for (const status of route.errors ?? []) responses[status] = errorResponse(status);
    const parameters = [
      ...parametersOf(route.params, 'path'),
      ...parametersOf(route.query, 'query'),
      ...parametersOf(route.headers, 'header'),
    ];
    const item = paths[openApiPathOf(route.path)] ?? {};
    item[route.method.toLowerCase()] = {
      operationId: operationIdOf(route),
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      tags: [route.tag],
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(route.open ? { security: [] } : {}),
      responses,
    };
    paths[openApiPathOf(route.path)] = item;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Journey query API',
      version: '1',
      description:
        'Read models of Journey (journeys, sessions, funnel, stages, alerts, automation deliveries), the retry of a failed automation delivery, daily series for Grafana and the journey-event feed (Server-Sent Events). Everything except the docs needs the API token (JOURNEY_API_TOKEN) as a bearer token.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'read models', description: 'journeys, sessions, funnel, stages, alerts' },
      { name: 'automations', description: 'acting on automation deliveries' },
      { name: 'series', description: 'one row per UTC day, shaped for Grafana’s Infinity data source' },
      { name: 'feed', description: 'the journey events as they are stored, for other services' },
      { name: 'docs', description: 'this document and its page (no token)' },
    ],
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'JOURNEY_API_TOKEN' } },
      schemas: { Error: jsonSchemaOf(errorAnswer) },
    },
  };
};

const operationIdOf = (route: DescribedRoute): string =>
  route.method.toLowerCase() +
  route.path
    .replace(/^\/api/, '')
    .split(/[/.]/)
    .filter((part) => part !== '')
    .map((part) => part.replace(/^:/, 'by-'))
    .map((part) =>
      part
        .split('-')
        .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
        .join(''),
    )
    .join('');
