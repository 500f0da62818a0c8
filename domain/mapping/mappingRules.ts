import { z } from 'zod';
import { type JourneyEventType, journeyEventTypes } from '../journey/journeyEvent.ts';

/**
 * The mapping-rule language (docs/mapping-rules.md): a JSON file people edit, so the schema is
 * strict (a typo such as `"emits"` is reported, not ignored) and every message says what to write
 * instead.
 */
export const matcherKeys = ['eq', 'ne', 'in', 'gte', 'gt', 'lte', 'lt', 'exists', 'matches', 'prefix'] as const;
const PATH = /^[^.]+(\.[^.]+)*$/;
const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type Literal = string | number | boolean | null;
export type Matcher = z.infer<typeof matcherSchema>;
export type Condition = Literal | Matcher;
export type When = {
  any?: When[];
  all?: When[];
  not?: When;
  [path: string]: Condition | When | When[] | undefined;
};
export type DataSource = string | string[] | { const: JsonValue };

const regexProblem = (pattern: string): string | undefined => {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
};

/** Object errors that list what is allowed, because users meet them while editing JSON. */
export const objectOf = (what: string, allowed: readonly string[]) => ({
  error: (issue: z.core.$ZodRawIssue) =>
    issue.code === 'unrecognized_keys'
      ? `has unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => `"${k}"`).join(', ')}; ${what} may have only ${allowed.join(', ')}`
      : `must be ${what}`,
});

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Picks the schema by the value's JSON shape instead of a zod union, so that a mistake
 * inside a matcher is reported as that mistake rather than as zod's bare "Invalid input".
 */
export const byShape = <T>(pick: (value: unknown) => z.ZodType | string) =>
  z
    .custom<T>(() => true)
    .superRefine((value, ctx) => {
      const schema = pick(value);
      if (typeof schema === 'string') {
        ctx.addIssue({ code: 'custom', message: schema });
        return;
      }
      const result = schema.safeParse(value);
      if (!result.success) for (const issue of result.error.issues) ctx.addIssue({ ...issue, code: 'custom' });
    });

export const pathSchema = z
  .string({ error: 'must be a dotted path such as "properties.projectId"' })
  .regex(PATH, 'must be a dotted path such as "properties.projectId", without empty segments');

export const literalSchema = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'must be a string, number, boolean or null',
});

const bound = z.number({ error: 'must be a number' }).optional();

export const matcherSchema = z
  .strictObject(
    {
      eq: literalSchema.optional(),
      ne: literalSchema.optional(),
      in: z
        .array(literalSchema, { error: 'must be a list of values' })
        .min(1, 'must list at least one value')
        .optional(),
      gte: bound,
      gt: bound,
      lte: bound,
      lt: bound,
      exists: z.boolean({ error: 'must be true or false' }).optional(),
      matches: z
        .string({ error: 'must be a regular expression written as a string' })
        .superRefine((pattern, ctx) => {
          const problem = regexProblem(pattern);
          if (problem !== undefined)
            ctx.addIssue({
              code: 'custom',
              message: `is not a valid regular expression (${problem}); fix the pattern`,
            });
        })
        .optional(),
      prefix: z.string({ error: 'must be a string' }).optional(),
    },
    objectOf('a matcher object', matcherKeys),
  )
  .refine((m) => Object.keys(m).length > 0, `is an empty matcher; use one of ${matcherKeys.join(', ')}`);

export const conditionSchema = byShape<Condition>((value) => (isPlainObject(value) ? matcherSchema : literalSchema));

const whenListSchema: z.ZodType<When[]> = z.lazy(() =>
  z.array(whenSchema, { error: 'must be a list of conditions' }).min(1, 'must list at least one condition'),
);

export const whenSchema: z.ZodType<When> = z.lazy(() =>
  z
    .record(z.string(), z.unknown(), { error: 'must be an object of conditions such as { "type": "track" }' })
    .superRefine((when, ctx) => {
      const keys = Object.keys(when);
      if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'has no condition; add one such as "type"' });
      for (const key of keys) {
        const schema =
          key === 'any' || key === 'all'
            ? whenListSchema
            : key === 'not'
              ? whenSchema
              : PATH.test(key)
                ? conditionSchema
                : undefined;
        if (schema === undefined) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'is not a dotted path such as "properties.status"' });
          continue;
        }
        const result = schema.safeParse(when[key]);
        if (!result.success)
          for (const issue of result.error.issues)
            ctx.addIssue({ ...issue, code: 'custom', path: [key, ...issue.path] });
      }
    }),
) as z.ZodType<When>;

export const dataSourceSchema = byShape<DataSource>((value) =>
  typeof value === 'string'
    ? pathSchema
    : Array.isArray(value)
      ? z.array(pathSchema).min(1, 'must list at least one path')
      : isPlainObject(value)
        ? z.strictObject({ const: z.json({ error: 'must be a JSON value' }) }, objectOf('a constant', ['const']))
        : 'must be a path, a list of fallback paths or { "const": value }',
);

/**
 * A refinement that each item of the list `list` (named `noun` in the message) has its own id.
 * Reads ids defensively: with `when` above it also sees items that failed validation.
 */
export const uniqueIdsIn =
  (list: string, noun: string) =>
  (items: readonly unknown[], ctx: z.core.$RefinementCtx): void => {
    const firstIndex = new Map<string, number>();
    items.forEach((item, index) => {
      const id = isPlainObject(item) ? item.id : undefined;
      if (typeof id !== 'string') return;
      const first = firstIndex.get(id);
      if (first === undefined) firstIndex.set(id, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: [index, 'id'],
          message: `is already the id of ${list}[${first}]; give every ${noun} its own id`,
        });
    });
  };

const ruleKeys = ['id', 'description', 'when', 'emit', 'data'] as const;
export const mappingRuleSchema = z.strictObject(
  {
    id: z
      .string({ error: 'must be a string' })
      .regex(RULE_ID, 'must be 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit'),
    description: z.string({ error: 'must be a string' }).optional(),
    when: whenSchema,
    emit: z.enum(journeyEventTypes as [JourneyEventType, ...JourneyEventType[]], {
      error: `must be one of ${journeyEventTypes.join(', ')}`,
    }),
    data: z
      .record(z.string().regex(FIELD), dataSourceSchema, {
        // identifiers only: a key such as "__proto__" would not survive as a data field
        error: (issue) =>
          issue.code === 'invalid_key'
            ? 'must be a field name: a letter, then letters, digits or "_"'
            : issue.code === 'invalid_type'
              ? 'must be an object of output fields'
              : undefined,
      })
      .optional(),
  },
  objectOf('a rule', ruleKeys),
);
export type MappingRule = z.infer<typeof mappingRuleSchema>;

export const mappingRulesSchema = z.strictObject(
  {
    /** lets editors point at a JSON schema; ignored here */
    $schema: z.string().optional(),
    version: z.literal(1, { error: 'must be 1' }),
    rules: z
      .array(mappingRuleSchema, { error: 'must be a list of rules' })
      .min(1, 'must list at least one rule')
      // runs even when some rules are invalid, so one run reports every problem
      .superRefine(uniqueIdsIn('rules', 'rule'), { when: (payload) => Array.isArray(payload.value) }),
  },
  objectOf('a rules file { "version": 1, "rules": [...] }', ['$schema', 'version', 'rules']),
);
export type MappingRules = z.infer<typeof mappingRulesSchema>;
