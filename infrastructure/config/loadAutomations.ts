import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type CompiledAutomations,
  compileAutomations,
  noAutomations,
} from '../../domain/automations/compileAutomations.ts';
import { ConfigError, isValidationError } from '../../domain/errors/journeyError.ts';

/**
 * The automations in force: the file named by JOURNEY_AUTOMATIONS, or none. A file that cannot be
 * read, is not JSON or breaks the schema stops start-up naming the automation and the field; so
 * does a NATS action when there is no NATS to publish to.
 */
export const loadAutomations = (
  path: string | undefined,
  options: { natsUrl?: string | undefined } = {},
): CompiledAutomations => {
  if (path === undefined) return noAutomations;
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(
      `JOURNEY_AUTOMATIONS=${path}: cannot read ${file} (${reason}); point it at an automations JSON file or unset it`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`JOURNEY_AUTOMATIONS=${path}: ${file} is not valid JSON (${(error as Error).message})`);
  }
  let automations: CompiledAutomations;
  try {
    automations = compileAutomations(json, file);
  } catch (error) {
    if (isValidationError(error)) throw new ConfigError(`JOURNEY_AUTOMATIONS=${path}: ${error.message}`);
    throw error;
  }
  const natsOnes = automations.automations.filter((a) => a.actionKind === 'nats');
  if (natsOnes.length > 0 && !options.natsUrl)
    throw new ConfigError(
      `JOURNEY_AUTOMATIONS=${path}: automation "${natsOnes[0]?.id}" do.nats publishes to NATS, but NATS_URL is not set; set NATS_URL or use a webhook or Slack action`,
    );
  return automations;
};
