import type { FastifyInstance } from 'fastify';
import type { DailySeries } from '../../application/queries/dailySeries.ts';
import { dailyQuery } from './apiSchemas.ts';
import { validateRequest } from './validateRequest.ts';

/**
 * Daily series shaped for Grafana's Infinity data source: `{ from, to, days: [...] }`, one
 * row per UTC day with `time` as the time field. Registered inside the token-guarded /api
 * plugin (see registerApiRoutes).
 */
export const registerSeriesRoutes = (api: FastifyInstance, series: DailySeries): void => {
  api.get('/signups/daily', async (request) => {
    const { from, to } = validateRequest(dailyQuery, request.query, 'query');
    return { from, to, days: await series.signups(from, to) };
  });

  api.get('/alerts/daily', async (request) => {
    const { from, to } = validateRequest(dailyQuery, request.query, 'query');
    return { from, to, days: await series.alertsRaised(from, to) };
  });
};
