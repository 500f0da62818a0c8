import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleAutomations, WEBHOOK_SECRET } from '../../../testing/automations/automationsFixtures.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../testing/automations/webhookReceiver.ts';
import { postBatch } from '../../../testing/collector/postBatch.ts';
import { freePort } from '../../../testing/freePort.ts';
import { journeyEnv, TEST_API_TOKEN, TEST_WRITE_KEY } from '../../../testing/journey/journeyEnv.ts';
import { type JourneyProcess, journeyProcess } from '../../../testing/journey/journeyProcess.ts';
import { type PrometheusServer, type Sample, startPrometheus } from '../../../testing/prometheus/prometheusServer.ts';
import { promtool } from '../../../testing/prometheus/promtool.ts';
import { type TempDataDir, tempDataDir } from '../../../testing/tempDataDir.ts';
import { waitUntil } from '../../../testing/waitUntil.ts';
import { type AppName, appNames } from '../appNames.ts';

type Running = { readonly app: AppName; readonly process: JourneyProcess; readonly ops: string; readonly http: string };

const repo = join(import.meta.dirname, '../../..');
const signups = ['ada', 'bob', 'cy'];
const today = new Date().toISOString().slice(0, 10);

/**
 * Every Journey app as its own OS process on one embedded data directory, each with its own
 * JOURNEY_OPS_PORT, scraped by a real Prometheus as the distributed compose profile scrapes
 * them: every target is up, every /metrics body passes `promtool check metrics`, each app's own
 * metrics arrive with the values the events sent make, and every query of the Prometheus
 * dashboard is one Prometheus accepts and answers with data.
 */
describe('Prometheus scraping every Journey process on its ops port', () => {
  let data: TempDataDir;
  let receiver: WebhookReceiver;
  let prometheus: PrometheusServer;
  const running: Running[] = [];

  /** waits until an instant query answers what `check` accepts; returns that answer */
  const answered = async (expr: string, check: (samples: Sample[]) => boolean): Promise<Sample[]> => {
    let samples: Sample[] = [];
    await waitUntil(
      `Prometheus to answer ${expr} as expected`,
      async () => {
        samples = await prometheus.query(expr);
        return check(samples);
      },
      { timeoutMs: 60_000, intervalMs: 500, lastSeen: () => samples },
    );
    return samples;
  };
  const single = (expected: number) => (samples: Sample[]) => samples.length === 1 && samples[0]?.value === expected;
  const processOf = (app: AppName): Running => {
    const found = running.find((r) => r.app === app);
    if (!found) throw new Error(`no ${app} process`);
    return found;
  };

  beforeAll(async () => {
    data = await tempDataDir('prometheus-scrape');
    receiver = await startWebhookReceiver(WEBHOOK_SECRET);
    const automations = data.file('automations.json');
    // the welcome webhook only: the example's NATS action needs NATS_URL, and this runs embedded
    const example = exampleAutomations(receiver.url);
    const welcome = example.automations.filter((a) => a.id === 'welcome-email');
    writeFileSync(automations, JSON.stringify({ ...example, automations: welcome }));
    // one after another: seven processes loading their code at once start slowly on a busy machine,
    // and the first of each store creates its schema
    for (const app of appNames) {
      const [opsPort, httpPort] = [await freePort(), await freePort()];
      const env = journeyEnv(data.dir, {
        HOST: '127.0.0.1',
        PORT: String(httpPort),
        JOURNEY_OPS_PORT: String(opsPort),
        JOURNEY_AUTOMATIONS: automations,
        LOG_LEVEL: 'info',
      });
      const child = journeyProcess(app, [app], () => env);
      running.push({ app, process: child, ops: `127.0.0.1:${opsPort}`, http: `http://127.0.0.1:${httpPort}` });
      await child.start();
    }
    prometheus = await startPrometheus(running.map((r) => ({ app: r.app, address: r.ops })));
  }, 600_000);

  afterAll(async () => {
    await prometheus?.stop();
    for (const r of running.reverse()) await r.process.stop();
    await receiver?.close();
    await data?.remove();
  });

  it('finds every process up on its ops port, the collector and the API included', async () => {
    let targets: Awaited<ReturnType<PrometheusServer['targets']>> = [];
    await waitUntil(
      'every target up',
      async () => {
        targets = await prometheus.targets();
        return targets.length === running.length && targets.every((t) => t.health === 'up');
      },
      { timeoutMs: 60_000, intervalMs: 500, lastSeen: () => targets },
    );
    expect(targets.map((t) => `${t.labels.app} ${t.labels.instance}`).sort()).toEqual(
      running.map((r) => `${r.app} ${r.ops}`).sort(),
    );
  });

  it("carries each app's own metrics, with the values the events sent make", async () => {
    const now = new Date().toISOString();
    const batch = signups.map((userId, i) => ({
      type: 'track',
      userId,
      event: 'Signed Up',
      messageId: `signup-${userId}`,
      timestamp: new Date(Date.parse(now) + i).toISOString(),
      properties: { email: `${userId}@example.com` },
    }));
    expect((await postBatch(processOf('collector').http, TEST_WRITE_KEY, batch)).status).toBe(200);

    await answered('journey_events_ingested_total{app="collector"}', single(signups.length));
    await answered('journey_mapper_lag_events{app="mapper",group="mapper"}', single(0));
    const lags = await answered(
      'journey_projection_lag_events{app="projector"}',
      (s) => s.length > 0 && s.every((x) => x.value === 0),
    );
    expect(lags.map((s) => s.metric.projection).sort()).toEqual(['alerts', 'sessions', 'timeline', 'users']);
    // no Slack configured: the alerter logs each sign-up alert instead of posting it
    await answered('journey_alerts{app="alerter",status="logged"}', single(signups.length));
    await answered(
      'journey_automation_deliveries{app="automator",automation="welcome-email",status="delivered"}',
      single(signups.length),
    );
    expect(receiver.acceptedIds().size).toBe(signups.length);

    const journey = await fetch(`${processOf('api').http}/api/users/ada/journey`, {
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    expect(journey.status).toBe(200);
    await answered(
      'journey_http_request_duration_seconds_count{app="api",route="/api/users/:userId/journey",status_code="200"}',
      single(1),
    );

    // a report recorded by the CLI on the same store: the reporter's gauge reads the report stream
    const report = spawnSync(
      process.execPath,
      [join(repo, 'bin/journey.js'), 'report', 'run', '--date', today, '--out', data.file('reports')],
      { env: { ...process.env, ...journeyEnv(data.dir) }, encoding: 'utf8', timeout: 120_000 },
    );
    expect(report.status, `${report.stdout}${report.stderr}`).toBe(0);
    await answered(
      'journey_report_last_as_of_seconds{app="reporter"}',
      single(Date.parse(`${today}T23:59:59.999Z`) / 1000),
    );
  });

  // after the events and the report, so every gauge has its samples
  it('gets from each process a /metrics body promtool accepts', async () => {
    for (const { app, ops } of running) {
      const response = await fetch(`http://${ops}/metrics`);
      expect(response.status, app).toBe(200);
      const checked = promtool(['check', 'metrics'], await response.text());
      expect(checked, `${app}: ${checked.output}`).toMatchObject({ status: 0 });
    }
  });

  it('answers every query of the Prometheus dashboard with data', async () => {
    type Panel = { title: string; targets: { expr: string }[] };
    const dashboard = JSON.parse(
      readFileSync(join(repo, 'grafana/prometheus/dashboards/journey-metrics.json'), 'utf8'),
    ) as { panels: Panel[] };
    for (const panel of dashboard.panels)
      for (const { expr } of panel.targets) {
        // Grafana fills $__rate_interval in; a few scrapes at 1 s make 10 s enough
        const samples = await answered(expr.replaceAll('$__rate_interval', '10s'), (s) => s.length > 0);
        expect(samples.length, panel.title).toBeGreaterThan(0);
      }
  });

  it('exits no process unexpectedly', () => {
    expect(running.flatMap((r) => r.process.unexpectedExits)).toEqual([]);
  });
});
