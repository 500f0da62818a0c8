import type { MappingRules } from './mappingRules.ts';

/**
 * The rule set that ships: Segment track events from the browser, `api.request` events from backend
 * services, page/screen/identify. A rule id is part of each journey event's id, so renaming a rule
 * makes re-mapping write new events: add rules, don't rename.
 */
const track = (event: string) => ({ type: 'track', event });
const apiSuccess = (method: string, path: string) => ({
  type: 'track',
  event: 'api.request',
  'properties.method': method,
  // an optional trailing slash or query string is still the same endpoint
  'properties.path': { matches: `^${path}/?(\\?.*)?$` },
  'properties.status': { gte: 200, lt: 300 },
});

export const defaultRules = {
  version: 1,
  rules: [
    {
      id: 'track-signed-up',
      when: track('Signed Up'),
      emit: 'UserSignedUp',
      data: {
        email: ['properties.email', 'traits.email', 'context.traits.email'],
        name: ['properties.name', 'traits.name', 'context.traits.name'],
        source: ['properties.source', 'context.campaign.source'],
        plan: ['properties.plan', 'traits.plan', 'context.traits.plan'],
      },
    },
    {
      id: 'track-logged-in',
      description: 'Segment names it "Signed In"; many apps say "Logged In"',
      when: { type: 'track', event: { in: ['Logged In', 'Signed In'] } },
      emit: 'UserAuthenticated',
      data: { method: ['properties.method', 'properties.provider'] },
    },
    {
      id: 'track-project-created',
      when: track('Project Created'),
      emit: 'ProjectCreated',
      data: { projectId: ['properties.projectId', 'properties.project_id'], name: 'properties.name' },
    },
    {
      id: 'track-deployment-started',
      when: track('Deployment Started'),
      emit: 'DeploymentStarted',
      data: { deploymentId: 'properties.deploymentId', projectId: 'properties.projectId' },
    },
    {
      id: 'track-deployment-completed',
      when: track('Deployment Completed'),
      emit: 'DeploymentCompleted',
      data: {
        deploymentId: 'properties.deploymentId',
        projectId: 'properties.projectId',
        durationMs: 'properties.durationMs',
      },
    },
    {
      id: 'track-deployment-failed',
      when: track('Deployment Failed'),
      emit: 'DeploymentFailed',
      data: {
        deploymentId: 'properties.deploymentId',
        projectId: 'properties.projectId',
        error: ['properties.error', 'properties.errorMessage'],
      },
    },
    {
      id: 'api-login',
      when: apiSuccess('POST', '/auth/login'),
      emit: 'UserAuthenticated',
      data: { method: 'properties.authMethod' },
    },
    {
      id: 'api-project-created',
      when: apiSuccess('POST', '/projects'),
      emit: 'ProjectCreated',
      data: {
        projectId: ['properties.projectId', 'properties.responseBody.id'],
        name: ['properties.projectName', 'properties.responseBody.name'],
      },
    },
    {
      id: 'api-deployment-started',
      when: apiSuccess('POST', '/deployments'),
      emit: 'DeploymentStarted',
      data: {
        deploymentId: ['properties.deploymentId', 'properties.responseBody.id'],
        projectId: ['properties.projectId', 'properties.responseBody.projectId'],
      },
    },
    {
      id: 'api-error',
      description: 'server errors, and any response the backend tagged with an error code',
      when: {
        type: 'track',
        event: 'api.request',
        any: [{ 'properties.status': { gte: 500 } }, { 'properties.errorCode': { exists: true } }],
      },
      emit: 'ErrorEncountered',
      data: {
        status: 'properties.status',
        errorCode: 'properties.errorCode',
        method: 'properties.method',
        path: 'properties.path',
        message: ['properties.errorMessage', 'properties.message'],
      },
    },
    {
      id: 'page-viewed',
      when: { type: 'page' },
      emit: 'PageViewed',
      data: {
        url: ['properties.url', 'context.page.url'],
        path: ['properties.path', 'context.page.path'],
        title: ['properties.title', 'context.page.title'],
        referrer: ['properties.referrer', 'context.page.referrer'],
        name: ['name', 'properties.name'],
      },
    },
    {
      id: 'screen-viewed',
      description: 'mobile screens count as page views',
      when: { type: 'screen' },
      emit: 'PageViewed',
      data: { name: ['name', 'properties.name'], path: 'properties.path' },
    },
    {
      id: 'user-identified',
      when: { type: 'identify' },
      emit: 'UserIdentified',
      data: {
        email: ['traits.email', 'context.traits.email'],
        name: ['traits.name', 'context.traits.name'],
        traits: 'traits',
        anonymousId: 'anonymousId',
      },
    },
  ],
} satisfies MappingRules;
