import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type AlertStore, alertStatuses } from '../../application/alertStore.ts';
import type { Clock } from '../../application/clock.ts';
import type { JourneyQueries } from '../../application/journeyQueries.ts';
import { alertKinds } from '../../domain/alerts/alert.ts';
import { ConfigError, NotFoundError } from '../../domain/errors/journeyError.ts';
import type { UsersByActivationStageReported } from '../../domain/report/usersByActivationStageReported.ts';
import { stages } from '../../domain/stage/stage.ts';
import { HttpError } from './httpError.ts';
import { secretMatcher } from './secretMatcher.ts';
import { validateRequest } from './validateRequest.ts';

export type ApiDeps = {
  queries: JourneyQueries;
  apiToken: string;
  clock: Clock;
  /** serves GET /api/alerts when present */
  alerts?: Pick<AlertStore, 'listAlerts'>;
  /** serves GET /api/reports/:date when present */
  reports?: { recorded(date: string): Promise<UsersByActivationStageReported | undefined> };
};

/** A message for a malformed value only; a missing one gets the shared "is required". */
const whenPresent = (message: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : message;
const instant = z.iso.datetime({
  offset: true,
  error: whenPresent('must be an ISO-8601 date-time such as 2026-01-31T23:59:59Z'),
});
const day = z.iso.date({ error: whenPresent('must be a day written YYYY-MM-DD such as 2026-01-31') });

const asOfQuery = z.object({ asOf: instant.optional() });
// the order of the days and the length of the range are the domain's rule (utcDaysBetween)
const dailyQuery = z.object({ from: day, to: day });
const userParams = z.object({ userId: z.string().min(1).max(255) });
const stageParams = z.object({ stage: z.enum(stages) });
const reportParams = z.object({ date: day });
const alertsQuery = z.object({
  status: z.enum(alertStatuses).optional(),
  kind: z.enum(alertKinds).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

const bearerToken = (header: string | undefined): string | undefined =>
  header === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];

/**
 * The query API over the read models. Everything under /api needs the API token as a bearer
 * token (/healthz, open, comes with every server from createHttpServer).
 */
export const registerApiRoutes = (app: FastifyInstance, deps: ApiDeps): void => {
  if (deps.apiToken === '') throw new ConfigError('the API token is empty; set JOURNEY_API_TOKEN');
  const isApiToken = secretMatcher(new Map([[deps.apiToken, true]]));
  const nowIso = () => new Date(deps.clock.now()).toISOString();

  // A plugin, so the token hook guards every route under /api, including ones added later.
  app.register(
    async (api) => {
      api.addHook('onRequest', async (request: FastifyRequest) => {
        if (isApiToken(bearerToken(request.headers.authorization)) === undefined) {
          throw new HttpError(
            401,
            'unauthorized',
            'send the API token in the Authorization header: Authorization: Bearer <token>',
            { 'www-authenticate': 'Bearer' },
          );
        }
      });

      api.get('/users/:userId/journey', async (request) => {
        const { userId } = validateRequest(userParams, request.params, 'path');
        return deps.queries.journey(userId, deps.clock.now());
      });

      api.get('/funnel', async (request) => {
        const { asOf } = validateRequest(asOfQuery, request.query, 'query');
        return deps.queries.funnel(asOf ?? nowIso());
      });

      api.get('/funnel/daily', async (request) => {
        const { from, to } = validateRequest(dailyQuery, request.query, 'query');
        return { from, to, days: await deps.queries.dailyFunnel(from, to) };
      });

      api.get('/stages/:stage/users', async (request) => {
        const { stage } = validateRequest(stageParams, request.params, 'path');
        const { asOf } = validateRequest(asOfQuery, request.query, 'query');
        return deps.queries.stageUsers(stage, asOf ?? nowIso());
      });

      const alerts = deps.alerts;
      if (alerts) {
        api.get('/alerts', async (request) => {
          const filter = validateRequest(alertsQuery, request.query, 'query');
          return { alerts: await alerts.listAlerts(filter) };
        });
      }

      const reports = deps.reports;
      if (reports) {
        api.get('/reports/:date', async (request) => {
          const { date } = validateRequest(reportParams, request.params, 'path');
          const recorded = await reports.recorded(date);
          if (!recorded)
            throw new NotFoundError(
              `no funnel report is recorded for ${date}; run: npx journey report run --date ${date}`,
            );
          return recorded;
        });
      }
    },
    { prefix: '/api' },
  );
};
