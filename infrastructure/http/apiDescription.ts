import { z } from 'zod';
import {
  alertsAnswer,
  alertsQuery,
  asOfQuery,
  dailyAlertsAnswer,
  dailyFunnelAnswer,
  dailyQuery,
  dailySignupsAnswer,
  funnelAnswer,
  journeyAnswer,
  reportAnswer,
  reportParams,
  stageParams,
  stageUsersAnswer,
  userParams,
  userSearchAnswer,
  userSearchQuery,
} from './apiSchemas.ts';
import {
  automationsAnswer,
  deliveriesAnswer,
  deliveriesQuery,
  deliveryAnswer,
  deliveryParams,
  retryAnswer,
} from './automationSchemas.ts';
import { eventStreamHeaders, eventStreamQuery, feedEventAnswer } from './eventFeedSchemas.ts';
import {
  rawEventFilterQuery,
  rawEventStreamHeaders,
  rawEventStreamMessage,
  rawEventsAnswer,
  rawEventsQuery,
} from './rawEventSchemas.ts';
import { dailySessionsAnswer, sessionsQuery, userSessionsAnswer } from './sessionSchemas.ts';

export type DescribedRoute = {
  readonly method: 'GET' | 'POST';
  /** as registered with fastify: `/api/users/:userId/journey` */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: 'read models' | 'automations' | 'series' | 'feed' | 'docs';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly headers?: z.ZodObject;
  /** the 200 answer; `html`/`asset` for the docs page and its files; `event-stream` for Server-Sent Events */
  readonly answer: z.ZodType | 'html' | 'asset' | 'event-stream';
  /** an `event-stream` answer: what each message's `data:` holds */
  readonly messages?: z.ZodType;
  /** true for routes that need no API token */
  readonly open?: boolean;
  /** answers this route may give besides 200 and 401 */
  readonly errors?: readonly (400 | 404 | 503)[];
};

export const docsAssets = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;

/**
 * Every route under /api with the zod schemas it validates with and answers in. The OpenAPI
 * document is generated from this list; a test fails when a registered /api route is missing
 * here, so a new route must be described to land.
 */
export const apiDescription: readonly DescribedRoute[] = [
  {
    method: 'GET',
    path: '/api/users/:userId/journey',
    summary: "A user's journey timeline with their stage as of now",
    description:
      'One consistent answer: the profile (its `eventCount`), the stage and the events are read as of one event-store position, named in `position`. The timeline and the profile are projected separately; when the timeline is behind the profile the answer waits for it (about 1.5 s at most), then answers 503 with `Retry-After` rather than a profile whose events are missing.',
    tag: 'read models',
    params: userParams,
    answer: journeyAnswer,
    errors: [400, 404, 503],
  },
  {
    method: 'GET',
    path: '/api/users/:userId/sessions',
    summary: "A user's sessions (runs of activity without a long gap), newest first",
    tag: 'read models',
    params: userParams,
    query: sessionsQuery,
    answer: userSessionsAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/sessions/daily',
    summary: 'Sessions per UTC day of their start: users, median and p90 duration, bounce rate',
    description:
      'Grafana (Infinity): root selector `days`, time field `time`, columns `sessions`, `users`, `medianDurationMs`, `p90DurationMs`, `bounceRate`.',
    tag: 'series',
    query: dailyQuery,
    answer: dailySessionsAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/raw-events',
    summary: 'Raw events as stored, newest first, with what the mapper made of each (the live event explorer)',
    description:
      'Each event with its status, the journey events it became and the rule that made each, or the reject reason. Kept JOURNEY_RAW_RETENTION_DAYS (default 30). `userId` also finds anonymous events once identify or alias linked their anonymousId to the user. Page with `before` = the previous `next`.',
    tag: 'read models',
    query: rawEventsQuery,
    answer: rawEventsAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/raw-events/stream',
    summary:
      'The same filters live, as Server-Sent Events: each raw event when stored, then again when its status changes',
    description:
      'Events named `raw-event`; `id` is a version: reconnecting with `Last-Event-ID` resumes after it, without it the stream starts with what changes from now on. A comment line every 15 s keeps the connection open.',
    tag: 'read models',
    query: rawEventFilterQuery,
    headers: rawEventStreamHeaders,
    answer: 'event-stream',
    messages: rawEventStreamMessage,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/users',
    summary: 'Users whose id or email starts with a prefix (the dashboard search)',
    tag: 'read models',
    query: userSearchQuery,
    answer: userSearchAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/reports/:date',
    summary: 'The daily funnel report recorded for a date (stream report-users-by-activation-stage)',
    tag: 'read models',
    params: reportParams,
    answer: reportAnswer,
    errors: [400, 404, 503],
  },
  {
    method: 'GET',
    path: '/api/funnel',
    summary: 'The onboarding funnel as of an instant',
    tag: 'read models',
    query: asOfQuery,
    answer: funnelAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/funnel/daily',
    summary: 'The funnel for each UTC day of a range, each day as of its last millisecond',
    description:
      'Grafana (Infinity): root selector `days`, time field `asOf`, columns `stages.signedUp`, `stages.activated`, `stages.active`, `stages.inactive`, `newSignups`.',
    tag: 'series',
    query: dailyQuery,
    answer: dailyFunnelAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/signups/daily',
    summary: 'Sign-ups per UTC day of their event time; every day of the range, 0 when none',
    description: 'Grafana (Infinity): root selector `days`, time field `time`, column `signups`.',
    tag: 'series',
    query: dailyQuery,
    answer: dailySignupsAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/alerts/daily',
    summary: 'Alerts per UTC day of the event that raised them, by kind, with a total',
    description:
      'Grafana (Infinity): root selector `days`, time field `time`, columns `total`, `signup`, `deploy-slow`, `deploy-failed`, `error`.',
    tag: 'series',
    query: dailyQuery,
    answer: dailyAlertsAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/stages/:stage/users',
    summary: 'The users in one stage as of an instant',
    tag: 'read models',
    params: stageParams,
    query: asOfQuery,
    answer: stageUsersAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/alerts',
    summary: 'Alerts, newest first, with their delivery state',
    tag: 'read models',
    query: alertsQuery,
    answer: alertsAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/automations',
    summary: 'The automations in force, with their deliveries counted by state',
    tag: 'read models',
    answer: automationsAnswer,
    errors: [503],
  },
  {
    method: 'GET',
    path: '/api/automations/deliveries',
    summary: 'Automation deliveries, newest first, by automation and state',
    tag: 'read models',
    query: deliveriesQuery,
    answer: deliveriesAnswer,
    errors: [400, 503],
  },
  {
    method: 'GET',
    path: '/api/automations/deliveries/:id',
    summary: 'One automation delivery, where it stands',
    tag: 'read models',
    params: deliveryParams,
    answer: deliveryAnswer,
    errors: [400, 404, 503],
  },
  {
    method: 'POST',
    path: '/api/automations/deliveries/:id/retry',
    summary: 'Send a failed delivery again, under the same id, with a fresh count of attempts',
    description:
      'As `npx journey automations retry ID`: a `failed` delivery becomes `pending`, due now, and the automator sends it within moments (`retried: true`). A delivery that is not failed is left as it is and returned with `retried: false`. No body.',
    tag: 'automations',
    params: deliveryParams,
    answer: retryAnswer,
    errors: [400, 404, 503],
  },
  {
    method: 'GET',
    path: '/api/events/stream',
    summary: 'Journey events as Server-Sent Events: the stored ones after a position, then live',
    description:
      'Read from the event store in global order. Each message has `id:` (the global position), `event:` (the journey event type) and `data:` (JSON below); a `:` comment line comes every 15 s to keep proxies open. To resume, send the last id in `Last-Event-ID` (EventSource does so when it reconnects) or as `after`: nothing is missed or repeated. A client that reads slowly is paced, not buffered for. `Accept` must admit `text/event-stream` (406 otherwise).',
    tag: 'feed',
    query: eventStreamQuery,
    headers: eventStreamHeaders,
    answer: 'event-stream',
    messages: feedEventAnswer,
    errors: [400],
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This document',
    tag: 'docs',
    answer: z.record(z.string(), z.unknown()),
    open: true,
  },
  {
    method: 'GET',
    path: '/api/docs',
    summary: 'The API docs page (Swagger UI)',
    tag: 'docs',
    answer: 'html',
    open: true,
  },
  {
    method: 'GET',
    path: '/api/docs/:asset',
    summary: 'Files of the docs page',
    tag: 'docs',
    params: z.object({ asset: z.enum(docsAssets) }),
    answer: 'asset',
    open: true,
    errors: [404],
  },
];
