import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConfigError } from '../../domain/errors/journeyError.ts';
import { exampleAutomations } from '../../testing/automations/automationsFixtures.ts';
import { tempDataDir } from '../../testing/tempDataDir.ts';
import { loadAutomations } from './loadAutomations.ts';

let dir: Awaited<ReturnType<typeof tempDataDir>>;
beforeAll(async () => {
  dir = await tempDataDir('automations-file');
});
afterAll(async () => {
  await dir.remove();
});

const fileWith = (text: string): string => {
  const file = dir.file('automations.json');
  writeFileSync(file, text);
  return file;
};

const configProblem = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (isConfigError(error)) return error.message;
    throw error;
  }
  throw new Error('it loaded');
};

describe('loadAutomations', () => {
  it('loads nothing without JOURNEY_AUTOMATIONS, and the file with NATS_URL set', () => {
    expect(loadAutomations(undefined).automations).toEqual([]);
    const file = fileWith(JSON.stringify(exampleAutomations()));
    expect(loadAutomations(file, { natsUrl: 'nats://127.0.0.1:4222' }).automations).toHaveLength(3);
  });

  it('refuses a NATS action without NATS_URL, naming the automation', () => {
    const file = fileWith(JSON.stringify(exampleAutomations()));
    expect(configProblem(() => loadAutomations(file))).toContain(
      `JOURNEY_AUTOMATIONS=${file}: automation "error-support" do.nats publishes to NATS, but NATS_URL is not set`,
    );
  });

  it('names the variable and the file for a missing file, bad JSON and a schema problem', () => {
    expect(configProblem(() => loadAutomations(dir.file('none.json')))).toMatch(/cannot read .*none\.json \(ENOENT\)/);
    expect(configProblem(() => loadAutomations(fileWith('{ "version": 1, ')))).toContain('is not valid JSON');
    expect(configProblem(() => loadAutomations(fileWith('{ "version": 2, "automations": [] }')))).toContain(
      'version: must be 1',
    );
  });
});
