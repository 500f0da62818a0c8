import type { z } from 'zod';
import { readableZodErrors, readableZodIssues } from '../../application/ingest/readableZodIssues.ts';
import { ValidationError } from '../../domain/errors/journeyError.ts';

/**
 * Parses one part of a request with zod; a failure becomes a ValidationError (a 400) whose
 * message names the parameter, e.g. `query parameter asOf must be an ISO-8601 date-time ...`.
 */
export const validateRequest = <S extends z.ZodType>(
  schema: S,
  value: unknown,
  part: 'query' | 'path',
): z.output<S> => {
  const parsed = schema.safeParse(value, { error: readableZodErrors });
  if (parsed.success) return parsed.data;
  const issues = readableZodIssues(parsed.error);
  throw new ValidationError(
    issues.map((i) => (i.path === '' ? `${part} ${i.message}` : `${part} parameter ${i.path} ${i.message}`)).join('; '),
    issues,
  );
};
