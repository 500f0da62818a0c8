import type { z } from 'zod';
import type { ValidationIssue } from '../../domain/errors/journeyError.ts';

/**
 * Zod's default messages are written for the schema's developers, not for the client who sent the
 * data; this error map (`safeParse(x, { error: readableZodErrors })`) rewrites the common ones.
 * Messages a schema sets itself still win.
 */
export const readableZodErrors: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `is required (${kindOf(issue.expected)})`
        : `must be ${kindOf(issue.expected)}, not ${kindOfValue(issue.input)}`;
    case 'invalid_union': {
      const options: unknown = issue.options;
      if (issue.discriminator !== undefined && Array.isArray(options)) {
        const allowed = options.map(String).join(', ');
        return issue.input === undefined ? `is required: one of ${allowed}` : `must be one of ${allowed}`;
      }
      const expected = issue.errors.flatMap((branch) =>
        branch.flatMap((i) => (i.code === 'invalid_type' && i.path.length === 0 ? [kindOf(i.expected)] : [])),
      );
      if (expected.length !== issue.errors.length) return undefined;
      const kinds = [...new Set(expected)].join(' or ');
      return issue.input === undefined ? `is required (${kinds})` : `must be ${kinds}, not ${kindOfValue(issue.input)}`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`;
    default:
      return undefined;
  }
};

/** One issue per problem, its path written as a client would write it: `properties.items[2].sku`. */
export const readableZodIssues = (error: z.ZodError): ValidationIssue[] =>
  error.issues.map((issue) => ({ path: pathToString(issue.path), message: issue.message }));

export const pathToString = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    if (/^[A-Za-z_$][\w$]*$/.test(name)) return out === '' ? name : `${out}.${name}`;
    return `${out}[${JSON.stringify(name)}]`;
  }, '');

const kindOf = (expected: string): string => {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a JSON object';
    case 'array':
      return 'an array';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'string':
    case 'number':
      return `a ${expected}`;
    default:
      return expected;
  }
};

const kindOfValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `a ${typeof value}`;
};
