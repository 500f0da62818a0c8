import { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors/journeyError.ts';
import { type JourneyEventType, journeyEventDataSchemas } from '../journey/journeyEvent.ts';
import {
  type Condition,
  type DataSource,
  type Literal,
  type MappingRule,
  type Matcher,
  mappingRulesSchema,
  type When,
} from './mappingRules.ts';

/** Tests a raw event; takes `unknown` so that no input shape can make it throw. */
export type EventPredicate = (event: unknown) => boolean;
type ValueTest = (value: unknown) => boolean;

/** How a value is fitted to the field's schema: backend events often send `"503"` or a numeric id. */
export type Coercion = 'toNumber' | 'toString' | 'none';

export type CompiledField = {
  readonly name: string;
  readonly read: (event: unknown) => unknown;
  readonly coercion: Coercion;
};

export type CompiledRule = {
  readonly id: string;
  readonly emit: JourneyEventType;
  readonly matches: EventPredicate;
  readonly fields: readonly CompiledField[];
};

export type CompiledRules = {
  /** where the rules came from (a file path or "default rules"), for messages */
  readonly source: string;
  readonly rules: readonly CompiledRule[];
};

const NUMERIC = /^-?\d+(\.\d+)?$/;

/** A number, or a decimal string read as one; NaN otherwise, which fails every comparison. */
export const toNumber = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'string' && NUMERIC.test(value) ? Number(value) : Number.NaN;

/** Own properties only, so a path such as `properties.constructor` finds nothing. */
export const readPath = (event: unknown, segments: readonly string[]): unknown => {
  let value = event;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
};

const equals = (literal: Literal): ValueTest =>
  typeof literal === 'number'
    ? (v) => v === literal || (typeof v === 'string' && toNumber(v) === literal)
    : (v) => v === literal;

const allOf = <T>(tests: readonly ((x: T) => boolean)[]): ((x: T) => boolean) => {
  const [only] = tests;
  if (tests.length === 1 && only) return only;
  return (x) => {
    for (const test of tests) if (!test(x)) return false;
    return true;
  };
};

const anyOf = <T>(tests: readonly ((x: T) => boolean)[]): ((x: T) => boolean) => {
  const [only] = tests;
  if (tests.length === 1 && only) return only;
  return (x) => {
    for (const test of tests) if (test(x)) return true;
    return false;
  };
};

const COMPARE = {
  gte: (a: number, b: number) => a >= b,
  gt: (a: number, b: number) => a > b,
  lte: (a: number, b: number) => a <= b,
  lt: (a: number, b: number) => a < b,
};

const matcherTests = (matcher: Matcher): ValueTest[] => {
  const tests: ValueTest[] = [];
  for (const key of Object.keys(matcher) as (keyof Matcher)[]) {
    switch (key) {
      case 'eq':
      case 'ne': {
        const literal = matcher[key];
        if (literal === undefined) break;
        const test = equals(literal);
        tests.push(key === 'eq' ? test : (v) => !test(v));
        break;
      }
      case 'in': {
        if (matcher.in) tests.push(anyOf(matcher.in.map(equals)));
        break;
      }
      case 'gte':
      case 'gt':
      case 'lte':
      case 'lt': {
        const bound = matcher[key];
        if (bound === undefined) break;
        const holds = COMPARE[key];
        tests.push((v) => holds(toNumber(v), bound));
        break;
      }
      case 'exists': {
        const present = matcher.exists;
        tests.push((v) => (v !== undefined && v !== null) === present);
        break;
      }
      case 'matches': {
        if (matcher.matches === undefined) break;
        const regex = new RegExp(matcher.matches);
        tests.push((v) => typeof v === 'string' && regex.test(v));
        break;
      }
      case 'prefix': {
        const prefix = matcher.prefix;
        if (prefix !== undefined) tests.push((v) => typeof v === 'string' && v.startsWith(prefix));
        break;
      }
      default: {
        const unknownKey: never = key;
        throw new Error(`unhandled matcher key ${String(unknownKey)}`);
      }
    }
  }
  return tests;
};

const isMatcher = (condition: Condition): condition is Matcher => typeof condition === 'object' && condition !== null;

/** Cheap tests first: a rule usually fails on `type` or `event` before any regex runs. */
const costOf = (condition: Condition): number => (!isMatcher(condition) ? 0 : condition.matches === undefined ? 1 : 2);

export const compileWhen = (when: When): EventPredicate => {
  const parts: { cost: number; test: EventPredicate }[] = [];
  for (const [key, value] of Object.entries(when)) {
    if (value === undefined) continue;
    if (key === 'any' || key === 'all') {
      const nested = (value as When[]).map(compileWhen);
      parts.push({ cost: 3, test: key === 'any' ? anyOf(nested) : allOf(nested) });
    } else if (key === 'not') {
      const nested = compileWhen(value as When);
      parts.push({ cost: 3, test: (e) => !nested(e) });
    } else {
      const condition = value as Condition;
      const segments = key.split('.');
      const test = isMatcher(condition) ? allOf(matcherTests(condition)) : equals(condition);
      parts.push({ cost: costOf(condition), test: (e) => test(readPath(e, segments)) });
    }
  }
  return allOf(parts.sort((a, b) => a.cost - b.cost).map((p) => p.test));
};

const fieldSchemaOf = (emit: JourneyEventType, field: string): z.ZodType | undefined => {
  const shape: Record<string, z.ZodType> = journeyEventDataSchemas[emit].shape;
  return Object.hasOwn(shape, field) ? shape[field] : undefined;
};

const coercionOf = (schema: z.ZodType | undefined): Coercion => {
  const inner = schema instanceof z.ZodOptional ? schema.unwrap() : schema;
  return inner instanceof z.ZodNumber ? 'toNumber' : inner instanceof z.ZodString ? 'toString' : 'none';
};

const compileField = (name: string, source: DataSource, emit: JourneyEventType): CompiledField => {
  const coercion = coercionOf(fieldSchemaOf(emit, name));
  if (typeof source === 'object' && !Array.isArray(source)) {
    const constant = source.const;
    return { name, read: () => constant, coercion };
  }
  const paths = (typeof source === 'string' ? [source] : source).map((p) => p.split('.'));
  const [first, ...rest] = paths;
  if (first && rest.length === 0) return { name, read: (e) => readPath(e, first), coercion };
  return {
    name,
    read: (e) => {
      for (const path of paths) {
        const value = readPath(e, path);
        if (value !== undefined && value !== null) return value;
      }
      return undefined;
    },
    coercion,
  };
};

/** Constants are known now, so a constant the event schema refuses is a config error, not a dead letter per event. */
const constantIssues = (rule: MappingRule, index: number): z.core.$ZodIssue[] =>
  Object.entries(rule.data ?? {}).flatMap(([field, source]) => {
    if (typeof source !== 'object' || Array.isArray(source)) return [];
    const result = fieldSchemaOf(rule.emit, field)?.safeParse(source.const);
    return result && !result.success
      ? result.error.issues.map((issue) => ({
          ...issue,
          code: 'custom' as const,
          path: ['rules', index, 'data', field, 'const', ...issue.path],
          message: `${issue.message} (as ${rule.emit}.${field})`,
          input: undefined,
        }))
      : [];
  });

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
export const formatPath = (path: readonly PropertyKey[]): string =>
  path
    .map((segment, i) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : typeof segment === 'string' && IDENTIFIER.test(segment)
          ? `${i === 0 ? '' : '.'}${segment}`
          : `[${JSON.stringify(String(segment))}]`,
    )
    .join('');

const ruleIdAt = (config: unknown, index: number): string | undefined => {
  const rules = (config as { rules?: unknown } | null)?.rules;
  const id = Array.isArray(rules) ? (rules[index] as { id?: unknown } | null)?.id : undefined;
  return typeof id === 'string' ? id : undefined;
};

const toIssue = (config: unknown, issue: z.core.$ZodIssue): ValidationIssue => {
  const [first, index, ...inRule] = issue.path;
  const path = formatPath(issue.path) || '(root)';
  if (first !== 'rules' || typeof index !== 'number') return { path, message: `${path}: ${issue.message}` };
  const id = ruleIdAt(config, index);
  const rule = id === undefined ? `rules[${index}]` : `rule "${id}" (rules[${index}])`;
  return { path, message: `${rule}${inRule.length === 0 ? '' : ` ${formatPath(inRule)}`}: ${issue.message}` };
};

const compileRule = (rule: MappingRule): CompiledRule => ({
  id: rule.id,
  emit: rule.emit,
  matches: compileWhen(rule.when),
  fields: Object.entries(rule.data ?? {}).map(([name, source]) => compileField(name, source, rule.emit)),
});

/**
 * Validates a rules config and compiles it for `applyRules`: paths split once, regexes
 * built once, tests ordered cheapest first. Throws a ValidationError naming `source`, the
 * rule and the field at fault.
 */
export const compileRules = (config: unknown, source: string): CompiledRules => {
  const parsed = mappingRulesSchema.safeParse(config);
  const zodIssues = parsed.success ? parsed.data.rules.flatMap(constantIssues) : parsed.error.issues;
  if (!parsed.success || zodIssues.length > 0) {
    const issues = zodIssues.map((issue) => toIssue(config, issue));
    const count = issues.length === 1 ? 'a problem' : `${issues.length} problems`;
    throw new ValidationError(
      `mapping rules in ${source} have ${count}:\n${issues.map((i) => `  - ${i.message}`).join('\n')}`,
      issues,
    );
  }
  return { source, rules: parsed.data.rules.map(compileRule) };
};
