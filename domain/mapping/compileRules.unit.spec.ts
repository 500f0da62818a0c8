import { describe, expect, it } from 'vitest';
import { isValidationError, type ValidationError } from '../errors/journeyError.ts';
import { compileRules } from './compileRules.ts';
import { defaultRules } from './defaultRules.ts';
import { mappingRulesSchema } from './mappingRules.ts';

const rule = (overrides: Record<string, unknown> = {}) => ({
  id: 'deploy',
  when: { type: 'track', event: 'Deployment Started' },
  emit: 'DeploymentStarted',
  data: { deploymentId: 'properties.deploymentId' },
  ...overrides,
});

const compileError = (config: unknown, source = 'rules.json'): ValidationError => {
  try {
    compileRules(config, source);
  } catch (error) {
    if (isValidationError(error)) return error;
    throw error;
  }
  throw new Error('expected compileRules to throw');
};

describe('compileRules', () => {
  it('compiles the default rules, keeping their order and source', () => {
    const compiled = compileRules(defaultRules, 'default rules');
    expect(compiled.source).toBe('default rules');
    expect(compiled.rules.map((r) => r.id)).toEqual(defaultRules.rules.map((r) => r.id));
  });

  it('accepts a rule without data and a $schema key', () => {
    const config = { $schema: './rules.schema.json', version: 1, rules: [rule({ data: undefined })] };
    expect(compileRules(config, 'rules.json').rules[0]?.fields).toEqual([]);
  });

  it('names the source, the rule id and the field path of a regex that does not compile', () => {
    const error = compileError({
      version: 1,
      rules: [rule(), rule({ id: 'api-deploy', when: { 'properties.path': { matches: '^/deployments(' } } })],
    });
    expect(error.code).toBe('VALIDATION');
    expect(error.message).toContain('rules.json');
    expect(error.message).toContain('rule "api-deploy" (rules[1]) when["properties.path"].matches');
    expect(error.message).toContain('not a valid regular expression');
    expect(error.issues).toEqual([
      { path: 'rules[1].when["properties.path"].matches', message: expect.stringContaining('rule "api-deploy"') },
    ]);
  });

  it('reports a duplicate id at the second rule, together with the other problems', () => {
    const error = compileError({ version: 1, rules: [rule(), rule({ emit: 'Deployed' }), rule()] });
    expect(error.issues.map((i) => i.path)).toEqual(['rules[1].emit', 'rules[1].id', 'rules[2].id']);
    expect(error.message).toContain('rule "deploy" (rules[2]) id: is already the id of rules[0]');
  });

  it('lists the journey event types when emit is unknown', () => {
    const error = compileError({ version: 1, rules: [rule({ emit: 'DeploymentBegun' })] });
    expect(error.message).toContain('rule "deploy" (rules[0]) emit: must be one of');
    expect(error.message).toContain('DeploymentStarted');
  });

  it.each([
    ['a typo in a rule key', rule({ emits: 'UserSignedUp' }), 'rules[0]', 'unknown key "emits"'],
    ['an unknown matcher', rule({ when: { status: { between: [1, 2] } } }), 'rules[0].when.status', 'unknown key'],
    ['an empty matcher', rule({ when: { status: {} } }), 'rules[0].when.status', 'empty matcher'],
    ['a non-numeric bound', rule({ when: { status: { gte: '500' } } }), 'rules[0].when.status.gte', 'number'],
    ['an empty when', rule({ when: {} }), 'rules[0].when', 'has no condition'],
    ['an empty any', rule({ when: { any: [] } }), 'rules[0].when.any', 'at least one'],
    ['a bad nested not', rule({ when: { not: { 'a..b': 1 } } }), 'rules[0].when.not["a..b"]', 'dotted path'],
    ['an array as a condition', rule({ when: { event: ['a', 'b'] } }), 'rules[0].when.event', 'string, number'],
    ['a bad data path', rule({ data: { id: 'properties.' } }), 'rules[0].data.id', 'dotted path'],
    ['an empty fallback list', rule({ data: { id: [] } }), 'rules[0].data.id', 'at least one path'],
    ['a number as data', rule({ data: { id: 3 } }), 'rules[0].data.id', '{ "const": value }'],
    ['a const with extra keys', rule({ data: { id: { const: 1, or: 2 } } }), 'rules[0].data.id', 'unknown key "or"'],
    ['a data field that is no name', rule({ data: { __proto__x: 'a' } }), 'rules[0].data.__proto__x', 'field name'],
    ['a bad rule id', rule({ id: 'has space' }), 'rules[0].id', 'letters, digits'],
  ])('rejects %s at its path', (_, bad, path, message) => {
    const error = compileError({ version: 1, rules: [bad] });
    expect(error.issues).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('rejects a constant the event schema refuses, at compile time', () => {
    const error = compileError({
      version: 1,
      rules: [rule({ emit: 'ErrorEncountered', data: { status: { const: 'five hundred' } } })],
    });
    expect(error.issues).toEqual([
      { path: 'rules[0].data.status.const', message: expect.stringContaining('ErrorEncountered.status') },
    ]);
  });

  it.each([
    ['not an object', 'rules', '(root)'],
    ['a wrong version', { version: 2, rules: [rule()] }, 'version'],
    ['no rules', { version: 1, rules: [] }, 'rules'],
    ['an unknown top-level key', { version: 1, rules: [rule()], rule: [] }, '(root)'],
  ])('rejects %s', (_, config, path) => {
    expect(compileError(config, 'default rules').issues.map((i) => i.path)).toContain(path);
  });

  it('says how many problems there are', () => {
    expect(compileError({ version: 1, rules: [rule({ emit: 'X', when: {} })] }).message).toMatch(
      /^mapping rules in rules\.json have 2 problems/,
    );
  });

  it('agrees with the exported schema about the default rules', () => {
    expect(mappingRulesSchema.safeParse(defaultRules).success).toBe(true);
  });
});
