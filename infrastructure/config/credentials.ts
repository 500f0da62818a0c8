import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../domain/errors/journeyError.ts';
import type { JourneyConfig } from './config.ts';

export type Credentials = {
  /** write-key secret → source name (the name, never the secret, goes into logs and events) */
  readonly writeKeys: ReadonlyMap<string, string>;
  readonly apiToken: string;
  /** true when this start generated them */
  readonly generated: boolean;
};

type Stored = { writeKey: string; apiToken: string };

const parseWriteKeys = (entries: readonly string[]): Map<string, string> =>
  new Map(
    entries.map((entry, i) => {
      const at = entry.indexOf(':');
      return at > 0 ? [entry.slice(at + 1), entry.slice(0, at)] : [entry, `source-${i + 1}`];
    }),
  );

/**
 * Written beside the target, then renamed over it: a write cut short (disk full, a
 * file-size limit, a crash) leaves no truncated credentials.json that every later start
 * would fail to parse.
 */
const writeAtomically = (file: string, text: string): void => {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
};

/**
 * Write keys and the API token come from the environment; when either is unset the first
 * start generates one and keeps it in the data directory, so a plain `npm start` works
 * and survives restarts.
 */
export const resolveCredentials = (config: JourneyConfig): Credentials => {
  const file = join(config.JOURNEY_DATA_DIR, 'credentials.json');
  let stored: Stored | undefined;
  let generated = false;
  const needStored = config.JOURNEY_WRITE_KEYS === undefined || config.JOURNEY_API_TOKEN === undefined;
  if (needStored) {
    try {
      if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as Stored;
      else {
        mkdirSync(config.JOURNEY_DATA_DIR, { recursive: true });
        stored = {
          writeKey: `wk_${randomBytes(16).toString('hex')}`,
          apiToken: `jt_${randomBytes(24).toString('hex')}`,
        };
        writeAtomically(file, `${JSON.stringify(stored, null, 2)}\n`);
        generated = true;
      }
    } catch (error) {
      throw new ConfigError(
        `cannot read or create ${file} (${(error as Error).message}); make JOURNEY_DATA_DIR writable, or set JOURNEY_WRITE_KEYS and JOURNEY_API_TOKEN`,
      );
    }
  }
  const writeKeys = config.JOURNEY_WRITE_KEYS ?? (stored ? [`default:${stored.writeKey}`] : []);
  if (writeKeys.length === 0) throw new ConfigError('JOURNEY_WRITE_KEYS is empty; name at least one write key');
  return {
    writeKeys: parseWriteKeys(writeKeys),
    apiToken: config.JOURNEY_API_TOKEN ?? stored?.apiToken ?? '',
    generated,
  };
};
