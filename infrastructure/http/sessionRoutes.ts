import type { FastifyInstance } from 'fastify';
import type { SessionQueries } from '../../application/queries/sessionQueries.ts';
import { dailyQuery, userParams } from './apiSchemas.ts';
import { sessionsQuery } from './sessionSchemas.ts';
import { validateRequest } from './validateRequest.ts';

/** The session routes, registered inside the token-guarded /api plugin (see registerApiRoutes). */
export const registerSessionRoutes = (api: FastifyInstance, sessions: SessionQueries): void => {
  api.get('/users/:userId/sessions', async (request) => {
    const { userId } = validateRequest(userParams, request.params, 'path');
    const { from, to } = validateRequest(sessionsQuery, request.query, 'query');
    return sessions.userSessions(userId, from, to);
  });

  api.get('/sessions/daily', async (request) => {
    const { from, to } = validateRequest(dailyQuery, request.query, 'query');
    return { from, to, days: await sessions.daily(from, to) };
  });
};
