import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AlertStore, AlertStoreToken } from '../../../application/ports/alertStore/alertStore.ts';
import type { AlertKind } from '../../../domain/alerts/alert.ts';
import { apiDescription } from '../../../infrastructure/http/apiDescription.ts';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import {
  HAND_MADE_AS_OF,
  handMadeEvents,
  handMadeFunnel,
  handMadeFunnelAnswer,
} from '../../../testing/fixtures/handMadeDataset.ts';
import { TEST_API_TOKEN as API_TOKEN, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { pipelineSettled } from '../../../testing/journey/pipelineSettled.ts';
import { startTestJourney } from '../../../testing/journey/startTestJourney.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import type { RunningJourney } from '../startJourney.ts';

const repo = join(import.meta.dirname, '../../..');

/** the time range the dashboard is "looked at" with: 1 to 10 March 2026 (the hand-made dataset) */
const RANGE_FROM = '2026-03-01T00:00:00.000Z';
const RANGE_TO = HAND_MADE_AS_OF;

/** Grafana's variables that the dashboard may use, as Grafana would interpolate them */
const interpolate = (url: string): string => {
  const filled = url.replace(/\$\{__(from|to):date:([^}]+)\}/g, (_all, which: string, format: string) => {
    const instant = which === 'from' ? RANGE_FROM : RANGE_TO;
    if (format === 'iso') return instant;
    if (format === 'YYYY-MM-DD') return instant.slice(0, 10);
    throw new Error(`the dashboard uses the date format ${format}, which this test does not know; add it here`);
  });
  if (/\$\{|\$__/.test(filled)) throw new Error(`the dashboard uses a variable this test cannot fill: ${url}`);
  return filled;
};

type Column = { selector: string; text: string; type: string };
type Target = { url: string; root_selector: string; columns: Column[]; datasource: { uid: string; type: string } };
type Panel = { title: string; targets: Target[] };

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

const at = (value: unknown, path: string): unknown =>
  path === '' ? value : path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown>)?.[key], value);

/** the JSON schema at a dotted path, and whether every step is required */
const schemaAt = (schema: JsonSchema, path: string): { schema: JsonSchema; required: boolean } | undefined => {
  let current: JsonSchema | undefined = schema;
  let required = true;
  for (const key of path === '' ? [] : path.split('.')) {
    const object: JsonSchema | undefined = current?.properties ? current : current?.anyOf?.find((s) => s.properties);
    current = object?.properties?.[key];
    required &&= object?.required?.includes(key) ?? false;
  }
  return current && { schema: current, required };
};

const answerSchemaOf = (url: string): z.ZodType => {
  const path = url.split('?')[0] ?? '';
  const route = apiDescription.find((r) => new RegExp(`^${r.path.replace(/:[A-Za-z]+/g, '[^/]+')}$`).test(path));
  if (!route || typeof route.answer === 'string')
    throw new Error(`the dashboard queries ${path}, which the API does not describe`);
  return route.answer;
};

/** what each panel must show for the hand-made dataset and the seeded alerts */
const expectations: Record<string, (rows: Record<string, unknown>[]) => void> = {
  'Funnel as of the end of the range': (rows) => {
    expect(rows).toEqual([handMadeFunnelAnswer]);
  },
  'Funnel by day': (rows) => {
    expect(rows.map((r) => r.date)).toEqual(days);
    expect(rows.at(-1)).toMatchObject({ asOf: HAND_MADE_AS_OF, stages: handMadeFunnel });
  },
  'Sign-ups per day': (rows) => {
    // alice 03-01, dave 03-09, bob and erin 03-10 (carol and hank earlier, gina later)
    const expected: Record<string, number> = { '2026-03-01': 1, '2026-03-09': 1, '2026-03-10': 2 };
    expect(rows).toEqual(days.map((date) => ({ date, time: `${date}T00:00:00.000Z`, signups: expected[date] ?? 0 })));
  },
  'Alerts per day': (rows) => {
    const zero = { signup: 0, 'deploy-slow': 0, 'deploy-failed': 0, error: 0 };
    const expected: Record<string, Partial<Record<AlertKind, number>>> = {
      '2026-03-05': { 'deploy-failed': 1 },
      '2026-03-10': { signup: 2, error: 1 },
    };
    expect(rows).toEqual(
      days.map((date) => {
        const counts = { ...zero, ...expected[date] };
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        return { date, time: `${date}T00:00:00.000Z`, total, ...counts };
      }),
    );
  },
  'Recent alerts': (rows) => {
    // newest first, whatever the time range: the table is not a series
    expect(rows.map((r) => r.key)).toEqual([
      'signup:gina',
      'error:dave:1',
      'signup:erin',
      'signup:bob',
      'deploy-failed:alice',
    ]);
  },
};
const days = Array.from({ length: 10 }, (_, i) => `2026-03-${String(i + 1).padStart(2, '0')}`);

const seededAlerts: { key: string; kind: AlertKind; userId: string; occurredAt: string }[] = [
  { key: 'deploy-failed:alice', kind: 'deploy-failed', userId: 'alice', occurredAt: '2026-03-05T09:30:00.000Z' },
  { key: 'signup:bob', kind: 'signup', userId: 'bob', occurredAt: '2026-03-10T08:00:00.000Z' },
  { key: 'signup:erin', kind: 'signup', userId: 'erin', occurredAt: '2026-03-10T10:00:00.000Z' },
  { key: 'error:dave:1', kind: 'error', userId: 'dave', occurredAt: '2026-03-10T23:59:59.999Z' },
  { key: 'signup:gina', kind: 'signup', userId: 'gina', occurredAt: '2026-03-11T00:00:00.000Z' },
];

describe('the Grafana dashboard kept in grafana/ against a running Journey', () => {
  let data: TempDataDir;
  let journey: RunningJourney;
  let url: string;
  let panels: Panel[];

  beforeAll(async () => {
    data = await tempDataDir('grafana-e2e');
    journey = await startTestJourney(data.dir);
    url = journey.url ?? '';
    const response = await postBatch(url, TEST_WRITE_KEY, handMadeEvents());
    expect(response.status).toBe(200);
    await pipelineSettled(journey);
    // the dataset's events are too old to raise alerts, so alerts on its days are raised here
    const alerts = journey.container.get<AlertStore>(AlertStoreToken);
    for (const [i, a] of seededAlerts.entries()) {
      await alerts.update((w) =>
        w.raise({ ...a, content: { headline: a.key, facts: [] } }, `2026-03-12T00:00:0${i}.000Z`),
      );
    }
    const dashboard = JSON.parse(await readFile(join(repo, 'grafana/dashboards/journey.json'), 'utf8')) as {
      panels: Panel[];
    };
    panels = dashboard.panels;
  });

  afterAll(async () => {
    await journey?.stop();
    await data.remove();
  });

  it('uses the provisioned Infinity data source in every panel', async () => {
    const provisioning = await readFile(join(repo, 'grafana/provisioning/datasources/journey.yaml'), 'utf8');
    const uid = /^\s+uid:\s*(\S+)$/m.exec(provisioning)?.[1];
    expect(provisioning).toMatch(/type:\s*yesoreyeram-infinity-datasource/);
    expect(provisioning).toMatch(/bearerToken:\s*\$\{JOURNEY_API_TOKEN\}/);
    for (const target of panels.flatMap((p) => p.targets)) {
      expect(target.datasource).toEqual({ type: 'yesoreyeram-infinity-datasource', uid });
    }
  });

  it('has an expected answer for each of its panels, and each panel has a query', () => {
    expect(panels.map((p) => p.title).sort()).toEqual(Object.keys(expectations).sort());
    for (const panel of panels) expect(panel.targets.length).toBeGreaterThan(0);
  });

  it('gets the right answer from Journey for every query URL, in the shape its columns read', async () => {
    for (const panel of panels) {
      for (const target of panel.targets) {
        const path = interpolate(target.url);
        const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
        expect({ panel: panel.title, path, status: response.status }).toEqual({
          panel: panel.title,
          path,
          status: 200,
        });
        const body: unknown = await response.json();
        const answer = answerSchemaOf(path);
        // the answer is what the OpenAPI document says it is
        answer.parse(body);
        const jsonSchema = z.toJSONSchema(answer) as JsonSchema;
        const rootSchema = schemaAt(jsonSchema, target.root_selector)?.schema;
        const rowSchema = rootSchema?.type === 'array' ? rootSchema.items : rootSchema;
        expect(rowSchema, `${panel.title}: root selector ${target.root_selector}`).toBeDefined();
        const selected = at(body, target.root_selector);
        const rows = (Array.isArray(selected) ? selected : [selected]) as Record<string, unknown>[];
        expect(rows.length, `${panel.title}: no rows`).toBeGreaterThan(0);
        for (const column of target.columns) {
          const documented = schemaAt(rowSchema ?? {}, column.selector);
          expect(documented, `${panel.title}: column ${column.selector} is not in the answer`).toBeDefined();
          if (documented?.required) {
            for (const row of rows)
              expect(at(row, column.selector), `${panel.title}: ${column.selector}`).toBeDefined();
          }
          if (column.type === 'number' && documented?.required) {
            for (const row of rows) expect(typeof at(row, column.selector)).toBe('number');
          }
          if (column.type === 'timestamp') {
            for (const row of rows) expect(Number.isNaN(Date.parse(String(at(row, column.selector))))).toBe(false);
          }
        }
        expectations[panel.title]?.(rows);
      }
    }
  });
});
