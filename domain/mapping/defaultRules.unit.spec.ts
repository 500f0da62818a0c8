import { describe, expect, it } from 'vitest';
import type { IngestedEvent } from '../raw/rawEvent.ts';
import { applyRules } from './applyRules.ts';
import { compileRules } from './compileRules.ts';
import { defaultRules } from './defaultRules.ts';

const rules = compileRules(defaultRules, 'default rules');

const base = {
  userId: 'u1',
  messageId: 'm1',
  receivedAt: '2026-01-31T12:00:00.000Z',
  timestamp: '2026-01-31T12:00:00.000Z',
};
const track = (event: string, properties: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ({ ...base, type: 'track', event, properties, ...extra }) as IngestedEvent;
const api = (properties: Record<string, unknown>) => track('api.request', properties);
const map = (event: IngestedEvent) => applyRules(rules, event);
const emitted = (event: IngestedEvent) => map(event).events.map((e) => `${e.ruleId}:${e.type}`);

describe('default rules: browser track events', () => {
  it('maps Signed Up with email and name from properties, plus source and plan', () => {
    expect(map(track('Signed Up', { email: 'a@b.c', name: 'Ada', source: 'ad', plan: 'pro' }))).toEqual({
      events: [
        {
          type: 'UserSignedUp',
          ruleId: 'track-signed-up',
          data: { email: 'a@b.c', name: 'Ada', source: 'ad', plan: 'pro' },
        },
      ],
      errors: [],
    });
  });

  it('falls back to traits, then context.traits, for Signed Up', () => {
    const fromTraits = track('Signed Up', {}, { traits: { email: 't@b.c' }, context: { traits: { name: 'Ctx' } } });
    expect(map(fromTraits).events[0]?.data).toEqual({ email: 't@b.c', name: 'Ctx' });
  });

  it.each(['Logged In', 'Signed In'])('maps %s to UserAuthenticated', (name) => {
    expect(map(track(name, { method: 'google' })).events).toEqual([
      { type: 'UserAuthenticated', ruleId: 'track-logged-in', data: { method: 'google' } },
    ]);
  });

  it('maps Project Created', () => {
    expect(map(track('Project Created', { projectId: 'p1', name: 'Site' })).events[0]).toEqual({
      type: 'ProjectCreated',
      ruleId: 'track-project-created',
      data: { projectId: 'p1', name: 'Site' },
    });
  });

  it('maps the deployment lifecycle with ids, duration and error', () => {
    const ids = { deploymentId: 'd1', projectId: 'p1' };
    expect(map(track('Deployment Started', ids)).events[0]?.data).toEqual(ids);
    expect(map(track('Deployment Completed', { ...ids, durationMs: '1200' })).events[0]).toEqual({
      type: 'DeploymentCompleted',
      ruleId: 'track-deployment-completed',
      data: { ...ids, durationMs: 1200 },
    });
    expect(map(track('Deployment Failed', { ...ids, error: 'build failed' })).events[0]).toEqual({
      type: 'DeploymentFailed',
      ruleId: 'track-deployment-failed',
      data: { ...ids, error: 'build failed' },
    });
  });

  it('does not map events whose name only resembles a spec name', () => {
    expect(emitted(track('signed up'))).toEqual([]);
    expect(emitted(track('Deployment Started Soon'))).toEqual([]);
  });

  it('reports a Deployment Completed whose duration is not a number instead of emitting it', () => {
    const outcome = map(track('Deployment Completed', { deploymentId: 'd1', durationMs: 'slow' }));
    expect(outcome.events).toEqual([]);
    expect(outcome.errors).toEqual([
      { ruleId: 'track-deployment-completed', reason: expect.stringContaining('field durationMs') },
    ]);
  });
});

describe('default rules: backend api.request events', () => {
  it('maps a 2xx POST /auth/login to UserAuthenticated', () => {
    expect(emitted(api({ method: 'POST', path: '/auth/login', status: 200 }))).toEqual(['api-login:UserAuthenticated']);
    expect(emitted(api({ method: 'POST', path: '/auth/login/?next=/x', status: '204' }))).toEqual([
      'api-login:UserAuthenticated',
    ]);
  });

  it.each([
    ['a 4xx login', { method: 'POST', path: '/auth/login', status: 401 }],
    ['a GET login', { method: 'GET', path: '/auth/login', status: 200 }],
    ['another path', { method: 'POST', path: '/auth/login/sso', status: 200 }],
    ['a login without status', { method: 'POST', path: '/auth/login' }],
  ])('does not treat %s as an authentication', (_, properties) => {
    expect(emitted(api(properties))).toEqual([]);
  });

  it('maps a 2xx POST /projects, taking the id from the response body when properties lack it', () => {
    expect(
      map(api({ method: 'POST', path: '/projects', status: 201, responseBody: { id: 42, name: 'Site' } })).events,
    ).toEqual([{ type: 'ProjectCreated', ruleId: 'api-project-created', data: { projectId: '42', name: 'Site' } }]);
  });

  it('maps a 2xx POST /deployments to DeploymentStarted, preferring properties over the response body', () => {
    const properties = { method: 'POST', path: '/deployments/', status: 201, deploymentId: 'd1', projectId: 'p1' };
    expect(map(api({ ...properties, responseBody: { id: 'other' } })).events).toEqual([
      { type: 'DeploymentStarted', ruleId: 'api-deployment-started', data: { deploymentId: 'd1', projectId: 'p1' } },
    ]);
  });

  it('does not start a deployment on a failed POST /deployments, but records the error', () => {
    expect(emitted(api({ method: 'POST', path: '/deployments', status: 503 }))).toEqual(['api-error:ErrorEncountered']);
    expect(emitted(api({ method: 'POST', path: '/deployments/d1/cancel', status: 201 }))).toEqual([]);
  });

  it('maps status 503 to ErrorEncountered with status, method, path and message', () => {
    const properties = { method: 'GET', path: '/projects', status: '503', errorMessage: 'upstream down' };
    expect(map(api(properties)).events).toEqual([
      {
        type: 'ErrorEncountered',
        ruleId: 'api-error',
        data: { status: 503, method: 'GET', path: '/projects', message: 'upstream down' },
      },
    ]);
  });

  it('maps any response with an error code to ErrorEncountered, even a 4xx or a 2xx', () => {
    expect(map(api({ method: 'POST', path: '/auth/login', status: 401, errorCode: 'BAD_PASSWORD' })).events).toEqual([
      {
        type: 'ErrorEncountered',
        ruleId: 'api-error',
        data: { status: 401, errorCode: 'BAD_PASSWORD', method: 'POST', path: '/auth/login' },
      },
    ]);
    expect(emitted(api({ method: 'POST', path: '/projects', status: 200, errorCode: 7 }))).toEqual([
      'api-project-created:ProjectCreated',
      'api-error:ErrorEncountered',
    ]);
  });

  it.each([
    ['a 499', { status: 499 }],
    ['a 404 without error code', { status: 404 }],
    ['a null error code', { status: 200, errorCode: null }],
  ])('does not treat %s as an error', (_, properties) => {
    expect(emitted(api({ method: 'GET', path: '/x', ...properties }))).toEqual([]);
  });
});

describe('default rules: page, screen and identify', () => {
  it('maps page with properties first, then context.page', () => {
    const page = {
      ...base,
      type: 'page',
      name: 'Pricing',
      properties: { url: 'https://x.io/pricing', title: 'Pricing' },
      context: { page: { path: '/pricing', url: 'https://ignored', referrer: 'https://google.com' } },
    } as IngestedEvent;
    expect(map(page).events).toEqual([
      {
        type: 'PageViewed',
        ruleId: 'page-viewed',
        data: {
          url: 'https://x.io/pricing',
          path: '/pricing',
          title: 'Pricing',
          referrer: 'https://google.com',
          name: 'Pricing',
        },
      },
    ]);
  });

  it('maps screen to PageViewed', () => {
    const screen = { ...base, type: 'screen', name: 'Home' } as IngestedEvent;
    expect(map(screen).events).toEqual([{ type: 'PageViewed', ruleId: 'screen-viewed', data: { name: 'Home' } }]);
  });

  it('maps identify with email, name, the whole traits and the anonymousId', () => {
    const traits = { email: 'a@b.c', name: 'Ada', plan: 'pro' };
    const identify = { ...base, type: 'identify', anonymousId: 'anon-1', traits } as IngestedEvent;
    expect(map(identify).events).toEqual([
      {
        type: 'UserIdentified',
        ruleId: 'user-identified',
        data: { email: 'a@b.c', name: 'Ada', traits, anonymousId: 'anon-1' },
      },
    ]);
  });

  it.each(['group', 'alias'])('maps nothing for %s', (type) => {
    expect(map({ ...base, type, groupId: 'g', previousId: 'p' } as IngestedEvent)).toEqual({ events: [], errors: [] });
  });

  it('maps nothing for a track event it does not know', () => {
    expect(map(track('Button Clicked'))).toEqual({ events: [], errors: [] });
  });
});
