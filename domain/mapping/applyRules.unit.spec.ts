import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { journeyEventDataSchemas } from '../journey/journeyEvent.ts';
import type { IngestedEvent } from '../raw/rawEvent.ts';
import { applyRules } from './applyRules.ts';
import { compileRules } from './compileRules.ts';
import { defaultRules } from './defaultRules.ts';
import type { When } from './mappingRules.ts';

const event = (fields: Record<string, unknown>): IngestedEvent =>
  ({
    type: 'track',
    event: 'Test',
    userId: 'u1',
    messageId: 'm1',
    receivedAt: '2026-01-31T12:00:00.000Z',
    timestamp: '2026-01-31T12:00:00.000Z',
    ...fields,
  }) as IngestedEvent;

const single = (when: When, data: Record<string, unknown> = {}, emit = 'ErrorEncountered') =>
  compileRules({ version: 1, rules: [{ id: 'r', when, emit, data }] }, 'test');

const matches = (when: When, fields: Record<string, unknown>): boolean =>
  applyRules(single(when), event(fields)).events.length === 1;

describe('applyRules: conditions', () => {
  it.each<[string, When, Record<string, unknown>, boolean]>([
    ['a literal equals', { event: 'Test' }, {}, true],
    ['a literal differs', { event: 'Other' }, {}, false],
    ['a number equals its numeric string', { 'properties.status': 503 }, { properties: { status: '503' } }, true],
    [
      'a string literal does not equal a number',
      { 'properties.status': '503' },
      { properties: { status: 503 } },
      false,
    ],
    ['null equals only null', { 'properties.x': null }, { properties: {} }, false],
    ['ne holds when absent', { 'properties.x': { ne: 'a' } }, { properties: {} }, true],
    ['ne fails on equal', { 'properties.x': { ne: 'a' } }, { properties: { x: 'a' } }, false],
    ['in holds for a listed value', { 'properties.m': { in: ['PUT', 'POST'] } }, { properties: { m: 'POST' } }, true],
    ['in fails otherwise', { 'properties.m': { in: ['PUT', 'POST'] } }, { properties: { m: 'GET' } }, false],
    ['gte holds at the bound', { 'properties.s': { gte: 500 } }, { properties: { s: 500 } }, true],
    ['gt fails at the bound', { 'properties.s': { gt: 500 } }, { properties: { s: 500 } }, false],
    ['lt with gte is a range', { 'properties.s': { gte: 200, lt: 300 } }, { properties: { s: '299' } }, true],
    ['lt fails at the bound', { 'properties.s': { gte: 200, lt: 300 } }, { properties: { s: 300 } }, false],
    ['lte holds at the bound', { 'properties.s': { lte: 1 } }, { properties: { s: 1 } }, true],
    ['comparisons fail on non-numbers', { 'properties.s': { lte: 1 } }, { properties: { s: 'low' } }, false],
    ['comparisons fail when absent', { 'properties.s': { lt: 1 } }, { properties: {} }, false],
    ['exists: true needs a non-null value', { 'properties.e': { exists: true } }, { properties: { e: null } }, false],
    ['exists: true holds for 0', { 'properties.e': { exists: true } }, { properties: { e: 0 } }, true],
    ['exists: false holds when absent', { 'properties.e': { exists: false } }, { properties: {} }, true],
    ['matches tests strings', { 'properties.p': { matches: '^/a/?$' } }, { properties: { p: '/a/' } }, true],
    ['matches ignores numbers', { 'properties.p': { matches: '^5' } }, { properties: { p: 503 } }, false],
    ['prefix holds', { 'properties.p': { prefix: '/api' } }, { properties: { p: '/api/x' } }, true],
    ['prefix fails', { 'properties.p': { prefix: '/api' } }, { properties: { p: '/x' } }, false],
    ['paths go deep', { 'properties.a.b.c': 1 }, { properties: { a: { b: { c: 1 } } } }, true],
    ['paths index arrays', { 'properties.items.1': 'b' }, { properties: { items: ['a', 'b'] } }, true],
    ['paths see own properties only', { 'properties.constructor': { exists: true } }, { properties: {} }, false],
    ['paths through scalars find nothing', { 'event.length': 4 }, {}, false],
    ['any holds if one holds', { any: [{ event: 'X' }, { event: 'Test' }] }, {}, true],
    ['any fails if none holds', { any: [{ event: 'X' }, { event: 'Y' }] }, {}, false],
    ['all needs every one', { all: [{ event: 'Test' }, { type: 'page' }] }, {}, false],
    ['not negates', { not: { event: 'Test' } }, {}, false],
    ['combinators AND with paths', { type: 'track', not: { 'properties.s': { gte: 500 } } }, { properties: {} }, true],
  ])('%s', (_, when, fields, expected) => {
    expect(matches(when, fields)).toBe(expected);
  });
});

describe('applyRules: data', () => {
  it('takes the first fallback that is present and not null, and leaves absent fields out', () => {
    const rules = single(
      { type: 'track' },
      {
        errorCode: ['properties.code', 'properties.errorCode', 'properties.error.code'],
        message: 'properties.nothing',
        method: ['properties.none', 'properties.alsoNone'],
      },
    );
    const outcome = applyRules(rules, event({ properties: { code: null, errorCode: 'E42', error: { code: 'E1' } } }));
    expect(outcome).toEqual({
      events: [{ type: 'ErrorEncountered', data: { errorCode: 'E42' }, ruleId: 'r' }],
      errors: [],
    });
  });

  it('emits constants as given', () => {
    const rules = single({ type: 'track' }, { method: { const: 'GET' }, extra: { const: { nested: [1] } } });
    expect(applyRules(rules, event({})).events[0]?.data).toEqual({ method: 'GET', extra: { nested: [1] } });
  });

  it('copies whole objects', () => {
    const rules = single({ type: 'identify' }, { traits: 'traits' }, 'UserIdentified');
    const traits = { email: 'a@b.c', plan: 'pro', nested: { x: 1 } };
    expect(applyRules(rules, event({ type: 'identify', traits })).events[0]?.data).toEqual({ traits });
  });

  it('coerces numeric strings where the schema wants a number and numbers where it wants text', () => {
    const rules = single({ type: 'track' }, { status: 'properties.status', errorCode: 'properties.code' });
    expect(applyRules(rules, event({ properties: { status: '503', code: 42 } })).events[0]?.data).toEqual({
      status: 503,
      errorCode: '42',
    });
  });

  it('reports data the event schema refuses, naming the rule and the field, without throwing', () => {
    const rules = single({ type: 'track' }, { status: 'properties.status' });
    expect(applyRules(rules, event({ properties: { status: 'teapot' } }))).toEqual({
      events: [],
      errors: [{ ruleId: 'r', reason: expect.stringMatching(/rule r .*ErrorEncountered.*field status/) }],
    });
  });

  it('emits for every matching rule in rule order, and one rule failing does not stop the others', () => {
    const rules = compileRules(
      {
        version: 1,
        rules: [
          { id: 'b', when: { type: 'track' }, emit: 'PageViewed', data: { name: 'event' } },
          { id: 'bad', when: { type: 'track' }, emit: 'ErrorEncountered', data: { status: 'event' } },
          { id: 'a', when: { event: 'Test' }, emit: 'UserAuthenticated' },
          { id: 'never', when: { type: 'page' }, emit: 'PageViewed' },
        ],
      },
      'test',
    );
    const outcome = applyRules(rules, event({}));
    expect(outcome.events.map((e) => e.ruleId)).toEqual(['b', 'a']);
    expect(outcome.events[1]).toEqual({ type: 'UserAuthenticated', data: {}, ruleId: 'a' });
    expect(outcome.errors.map((e) => e.ruleId)).toEqual(['bad']);
  });
});

describe('applyRules: robustness', () => {
  const json = fc.jsonValue({ maxDepth: 3 });
  const properties = fc.dictionary(
    fc.constantFrom('method', 'path', 'status', 'errorCode', 'deploymentId', 'projectId', 'email', 'url', 'error'),
    fc.oneof(json, fc.constantFrom('POST', '/deployments', '/auth/login', 200, '503', 503)),
  );
  const rawEvent = fc.record(
    {
      type: fc.constantFrom('track', 'identify', 'page', 'screen', 'group', 'alias'),
      event: fc.constantFrom('Signed Up', 'Logged In', 'api.request', 'Deployment Failed', 'x'),
      name: fc.string(),
      userId: fc.string(),
      anonymousId: fc.string(),
      messageId: fc.string(),
      receivedAt: fc.constant('2026-01-31T12:00:00.000Z'),
      timestamp: fc.constant('2026-01-31T12:00:00.000Z'),
      properties,
      traits: fc.oneof(properties, fc.dictionary(fc.string(), json)),
      context: fc.record({ traits: properties, page: properties }, { requiredKeys: [] }),
    },
    { requiredKeys: ['type', 'messageId', 'receivedAt', 'timestamp'] },
  );
  const everyMatcher = compileRules(
    {
      version: 1,
      rules: [
        {
          id: 'every-matcher',
          when: {
            any: [
              { 'properties.status': { gte: 500, lt: 600 }, not: { 'properties.path': { matches: '^/a' } } },
              { 'properties.path': { prefix: '/', ne: '/x' }, 'properties.method': { in: ['POST', 1, null] } },
              { all: [{ 'properties.errorCode': { exists: true } }, { 'properties.status': { gt: 1, lte: 2 } }] },
            ],
          },
          emit: 'ErrorEncountered',
          data: { status: 'properties.status', path: ['properties.path', 'url'], message: { const: 'x' } },
        },
      ],
    },
    'test',
  );

  it.each([
    ['the default rules', compileRules(defaultRules, 'default rules')],
    ['every matcher', everyMatcher],
  ])('never throws on any raw-event-shaped input with %s, and emits only valid data', (_, rules) => {
    fc.assert(
      fc.property(rawEvent, (raw) => {
        const outcome = applyRules(rules, raw as IngestedEvent);
        for (const e of outcome.events) {
          expect(rules.rules.some((r) => r.id === e.ruleId && r.emit === e.type)).toBe(true);
          expect(journeyEventDataSchemas[e.type].safeParse(e.data).success).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
