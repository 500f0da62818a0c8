import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delivery } from '../../application/ports/automationStore/automationStore.fixtures.ts';
import { SqliteAutomationStore } from '../../infrastructure/sqlite/automationStore/sqliteAutomationStore.ts';
import { WEBHOOK_SECRET } from '../../testing/automations/automationsFixtures.ts';
import { type TempDataDir, tempDataDir } from '../../testing/tempDataDir.ts';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../../bin/journey.js');
const NOW = '2026-05-01T12:00:00.000Z';

describe('journey automations', () => {
  let data: TempDataDir;
  let env: Record<string, string>;
  beforeAll(async () => {
    data = await tempDataDir('automations-cli');
    const file = join(data.dir, 'automations.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        automations: [
          {
            id: 'welcome-email',
            when: { event: 'UserSignedUp' },
            do: { webhook: { url: 'https://x.test/h', secret: WEBHOOK_SECRET } },
          },
          {
            id: 'stuck',
            when: { after: 'UserSignedUp', wait: 'P3D', unless: ['ProjectCreated'] },
            do: { webhook: { url: 'https://x.test/h', secret: WEBHOOK_SECRET } },
          },
        ],
      }),
    );
    env = { ...process.env, JOURNEY_DATA_DIR: data.dir, JOURNEY_AUTOMATIONS: file, LOG_LEVEL: 'silent' } as Record<
      string,
      string
    >;
    const store = new SqliteAutomationStore(join(data.dir, 'automations.db'));
    await store.update((w) => {
      w.enqueue(delivery('welcome-email:e1'), NOW);
      w.enqueue(delivery('welcome-email:e2'), NOW);
    });
    await store.markDelivered('welcome-email:e1', NOW);
    await store.markFailed('welcome-email:e2', 'HTTP 500; gave up after 8 attempts', NOW);
    await store.close();
  });
  afterAll(async () => {
    await data.remove();
  });

  const journey = (...args: string[]) => run(process.execPath, [bin, 'automations', ...args], { env });

  it('lists the automations with their deliveries by state', async () => {
    const { stdout } = await journey('list');
    expect(stdout).toContain('welcome-email: on UserSignedUp → webhook; pending 0, delivered 1, failed 1');
    expect(stdout).toContain(
      'stuck: P3D after UserSignedUp unless ProjectCreated → webhook; pending 0, delivered 0, failed 0',
    );
  });

  it('lists deliveries by state, and retries a failed one under its id', async () => {
    const failed = await journey('deliveries', '--status', 'failed', '--json');
    expect(
      failed.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(['welcome-email:e2']);
    expect((await journey('retry', 'welcome-email:e2')).stdout).toContain('welcome-email:e2 is pending again');
    expect((await journey('retry', 'welcome-email:e1')).stdout).toContain('welcome-email:e1 is delivered since');
    const pending = await journey('deliveries', '--status', 'pending');
    expect(pending.stdout).toContain('welcome-email:e2');
    await expect(journey('retry', 'welcome-email:none')).rejects.toMatchObject({
      stderr: expect.stringContaining('there is no delivery welcome-email:none; list them with'),
    });
  }, 180_000);

  it('tests a file against the stored history without sending anything', async () => {
    const { stdout } = await journey('test', env.JOURNEY_AUTOMATIONS ?? '', '--since', '7d');
    expect(stdout).toMatch(/would have fired since \S+: welcome-email 0, stuck 0 \(nothing was sent\)/);
    await expect(journey('test', env.JOURNEY_AUTOMATIONS ?? '', '--since', 'last week')).rejects.toMatchObject({
      stderr: expect.stringContaining('--since last week is not a period such as 7d'),
    });
  }, 120_000);
});
