import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, isValidationError } from '../../domain/errors/journeyError.ts';
import { type CompiledRules, compileRules } from '../../domain/mapping/compileRules.ts';
import { defaultRules } from '../../domain/mapping/defaultRules.ts';

const unreadableRulesMessage = (path: string, file: string, error: unknown): string =>
  `JOURNEY_RULES=${path}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); point it at a rules JSON file or unset it to use the default rules`;

/**
 * The mapping rules in force: the file named by JOURNEY_RULES, or the default rule set.
 * A file that cannot be read, is not JSON or breaks the rule language stops start-up with
 * the path and the rule at fault.
 */
export const loadRules = (path: string | undefined): CompiledRules => {
  if (path === undefined) return compileRules(defaultRules, 'default rules');
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(unreadableRulesMessage(path, file, error));
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`JOURNEY_RULES=${path}: ${file} is not valid JSON (${(error as Error).message})`);
  }
  try {
    return compileRules(json, file);
  } catch (error) {
    if (isValidationError(error)) throw new ConfigError(`JOURNEY_RULES=${path}: ${error.message}`);
    throw error;
  }
};
