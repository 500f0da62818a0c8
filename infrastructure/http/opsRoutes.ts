import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../../application/ops/readiness.ts';
import type { JourneyMetrics } from '../metrics/journeyMetrics.ts';

export type OpsDeps = {
  readonly metrics: JourneyMetrics;
  readonly readiness: () => Promise<Readiness>;
};

/**
 * The operations endpoints, without a token: `/metrics` for Prometheus and `/readyz` (503 with each
 * failed check's reason). It also times every request into the latency histogram, so call it before
 * adding other routes.
 */
export const registerOpsRoutes = (app: FastifyInstance, deps: OpsDeps): void => {
  const { metrics } = deps;
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        // the route pattern, never the raw URL, so user ids do not explode the label set
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.text();
    return reply.header('content-type', metrics.contentType).send(text);
  });

  app.get('/readyz', async (_request, reply) => {
    const readiness = await deps.readiness();
    return reply.code(readiness.ready ? 200 : 503).send({
      status: readiness.ready ? 'ready' : 'not_ready',
      ...(readiness.ready
        ? {}
        : {
            message: readiness.checks
              .filter((c) => !c.ok)
              .map((c) => `${c.name}: ${c.detail}`)
              .join('; '),
          }),
      checks: readiness.checks,
    });
  });
};
