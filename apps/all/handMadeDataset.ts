/**
 * A small dataset whose funnel is worked out by hand, used by the end-to-end tests.
 * T = 2026-03-10T23:59:59.999Z (end of 10 March), W = 15 days, so T − W = 2026-02-23T23:59:59.999Z.
 *
 * | user  | signed up        | meaningful activity (event time)            | days | last > T−W | stage     | new (T−24h, T] |
 * |-------|------------------|---------------------------------------------|------|------------|-----------|----------------|
 * | alice | 03-01 10:00      | 03-01 11:00 project, 03-05 09:00 deploy     | 2    | yes        | active    | no             |
 * |       |                  | (03-11 deploy is after T: ignored)          |      |            |           |                |
 * | bob   | 03-10 08:00      | —                                           | 0    | —          | signedUp  | yes            |
 * | carol | 02-01 09:00      | 02-02 project, 02-03 deploy completed       | 2    | no         | inactive  | no             |
 * | dave  | 03-09 12:00      | 03-10 09:00 POST /deployments 201 (backend) | 1    | yes        | activated | no             |
 * | erin  | 03-10 10:00      | 03-10 10:05 POST /projects, 10:10 deploy    | 1    | yes        | activated | yes            |
 * | hank  | 02-20 09:00      | exactly T − W (02-23 23:59:59.999)          | 1    | no (equal) | inactive  | no             |
 * | frank | never            | logs in 03-10                               |      |            | (not counted)               |
 * | gina  | 03-11 08:00      | after T                                     |      |            | (not counted)               |
 *
 * Funnel at T: signedUp 1, activated 2, active 1, inactive 2; newSignups 2.
 * dave browsed anonymously (anon-dave) before identifying: those page views join his journey.
 */
export const HAND_MADE_AS_OF = '2026-03-10T23:59:59.999Z';
export const handMadeFunnel = { signedUp: 1, activated: 2, active: 1, inactive: 2 };
export const handMadeNewSignups = 2;
/** what GET /api/funnel?asOf=HAND_MADE_AS_OF answers, window 15 days */
export const handMadeFunnelAnswer = {
  asOf: HAND_MADE_AS_OF,
  windowDays: 15,
  newSignups: handMadeNewSignups,
  stages: handMadeFunnel,
};
/** dave's journey in event-time order: his anonymous page views joined before the identify */
export const handMadeDaveJourney = [
  'PageViewed',
  'PageViewed',
  'UserIdentified',
  'UserSignedUp',
  'DeploymentStarted',
  'ErrorEncountered',
];

const track = (userId: string, event: string, timestamp: string, properties: Record<string, unknown> = {}) => ({
  type: 'track',
  userId,
  event,
  timestamp,
  properties,
});
const api = (userId: string, timestamp: string, method: string, path: string, status: number, extra = {}) =>
  track(userId, 'api.request', timestamp, { method, path, status, durationMs: 42, ...extra });

export const handMadeEvents = (): Record<string, unknown>[] => [
  track('alice', 'Signed Up', '2026-03-01T10:00:00.000Z', { email: 'alice@example.com', name: 'Alice' }),
  track('alice', 'Project Created', '2026-03-01T11:00:00.000Z', { projectId: 'p-a' }),
  track('alice', 'Deployment Started', '2026-03-05T09:00:00.000Z', { deploymentId: 'd-a1' }),
  track('alice', 'Deployment Started', '2026-03-11T09:00:00.000Z', { deploymentId: 'd-a2' }),
  track('bob', 'Signed Up', '2026-03-10T08:00:00.000Z', { email: 'bob@example.com' }),
  api('bob', '2026-03-10T08:01:00.000Z', 'POST', '/auth/login', 200),
  track('carol', 'Signed Up', '2026-02-01T09:00:00.000Z'),
  track('carol', 'Project Created', '2026-02-02T09:00:00.000Z'),
  track('carol', 'Deployment Completed', '2026-02-03T09:00:00.000Z', { deploymentId: 'd-c' }),
  { type: 'page', anonymousId: 'anon-dave', timestamp: '2026-03-09T11:50:00.000Z', properties: { path: '/' } },
  { type: 'page', anonymousId: 'anon-dave', timestamp: '2026-03-09T11:55:00.000Z', properties: { path: '/signup' } },
  {
    type: 'identify',
    userId: 'dave',
    anonymousId: 'anon-dave',
    timestamp: '2026-03-09T11:59:00.000Z',
    traits: { email: 'dave@example.com', name: 'Dave' },
  },
  track('dave', 'Signed Up', '2026-03-09T12:00:00.000Z'),
  api('dave', '2026-03-10T09:00:00.000Z', 'POST', '/deployments', 201, { deploymentId: 'd-d' }),
  api('dave', '2026-03-10T09:30:00.000Z', 'GET', '/projects', 503, { errorCode: 'UPSTREAM_TIMEOUT' }),
  track('erin', 'Signed Up', '2026-03-10T10:00:00.000Z'),
  api('erin', '2026-03-10T10:05:00.000Z', 'POST', '/projects', 201, { projectId: 'p-e' }),
  track('erin', 'Deployment Started', '2026-03-10T10:10:00.000Z', { deploymentId: 'd-e' }),
  track('hank', 'Signed Up', '2026-02-20T09:00:00.000Z'),
  track('hank', 'Project Created', '2026-02-23T23:59:59.999Z'),
  api('frank', '2026-03-10T12:00:00.000Z', 'POST', '/auth/login', 200),
  track('gina', 'Signed Up', '2026-03-11T08:00:00.000Z'),
];
