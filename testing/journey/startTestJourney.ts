import type { AppName } from '../../apps/journey/appNames.ts';
import { type RunningJourney, startJourney } from '../../apps/journey/startJourney.ts';
import { loadConfig } from '../../infrastructure/config/config.ts';
import { journeyEnv } from './journeyEnv.ts';

/** Journey in this process, as `journey start` wires it (or only `apps`), with `journeyEnv(dataDir, overrides)`. */
export const startTestJourney = (
  dataDir: string,
  overrides: Record<string, string> = {},
  apps?: readonly AppName[],
): Promise<RunningJourney> => startJourney(loadConfig(journeyEnv(dataDir, overrides)), apps);
