import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AlertStore } from '../../application/ports/alertStore/alertStore.ts';
import type { Clock } from '../../application/ports/clock.ts';
import type { DailySeries } from '../../application/queries/dailySeries.ts';
import type { JourneyQueries } from '../../application/queries/journeyQueries.ts';
import type { SessionQueries } from '../../application/queries/sessionQueries.ts';
import { ConfigError, NotFoundError } from '../../domain/errors/journeyError.ts';
import type { UsersByActivationStageReported } from '../../domain/report/usersByActivationStageReported.ts';
import { registerApiDocsRoutes } from './apiDocsRoutes.ts';
import {
  alertsQuery,
  asOfQuery,
  dailyQuery,
  reportParams,
  stageParams,
  userParams,
  userSearchQuery,
} from './apiSchemas.ts';
import { type AutomationRoutesDeps, registerAutomationRoutes } from './automationRoutes.ts';
import { registerDashboardRoutes } from './dashboardRoutes.ts';
import { type EventFeedDeps, registerEventFeedRoutes } from './eventFeedRoutes.ts';
import { HttpError } from './httpError.ts';
import { type RawEventRoutesDeps, registerRawEventRoutes } from './rawEventRoutes.ts';
import { secretMatcher } from './secretMatcher.ts';
import { registerSeriesRoutes } from './seriesRoutes.ts';
import { registerSessionRoutes } from './sessionRoutes.ts';
import { validateRequest } from './validateRequest.ts';

export type ApiDeps = {
  queries: JourneyQueries;
  apiToken: string;
  clock: Clock;
  /** serves GET /api/alerts when present */
  alerts?: Pick<AlertStore, 'listAlerts'>;
  /** serves GET /api/signups/daily and /api/alerts/daily when present */
  series?: DailySeries;
  /** serves GET /api/users/:userId/sessions and /api/sessions/daily when present */
  sessions?: SessionQueries;
  /** serves GET /api/reports/:date when present */
  reports?: { recorded(date: string): Promise<UsersByActivationStageReported | undefined> };
  /** serves /api/automations, its deliveries and their retry when present */
  automations?: AutomationRoutesDeps;
  /** serves GET /api/events/stream (Server-Sent Events) when present */
  eventFeed?: EventFeedDeps;
  /** serves GET /api/raw-events and /api/raw-events/stream (the explorer) when present */
  rawEvents?: RawEventRoutesDeps;
};

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
  // the dashboard is a client of these routes, served by the same process at /
  registerDashboardRoutes(app);

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

      api.get('/users', async (request) => {
        const { search, limit } = validateRequest(userSearchQuery, request.query, 'query');
        return deps.queries.searchUsers(search, limit);
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
      if (deps.series) registerSeriesRoutes(api, deps.series);
      if (deps.automations) registerAutomationRoutes(api, deps.automations, deps.clock);
      if (deps.sessions) registerSessionRoutes(api, deps.sessions);
      if (deps.eventFeed) registerEventFeedRoutes(api, deps.eventFeed);
      if (deps.rawEvents) registerRawEventRoutes(api, deps.rawEvents);

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
  // the OpenAPI document and the docs page, open (outside the token-guarded plugin)
  registerApiDocsRoutes(app);
};
