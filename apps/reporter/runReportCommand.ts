import { join } from 'node:path';
import type { ReportRun } from '../../application/reports/runFunnelReport.ts';
import { stageTitles } from '../../domain/report/stageDefinitions.ts';
import type { JourneyConfig } from '../../infrastructure/config/config.ts';
import { DryRunReportPublisher } from '../../infrastructure/slack/dryRunReportPublisher.ts';
import { createContainer } from '../journey/container.ts';
import { funnelReportOf, reportPublisherOf } from './reporter.ts';

export type ReportCommandOptions = {
  readonly date: string;
  readonly out?: string;
  readonly dryRun?: boolean;
  readonly force?: boolean;
};

/** `journey report run`: one date, now; prints what happened, one line each. */
export const runReportCommand = async (
  config: JourneyConfig,
  options: ReportCommandOptions,
  print: (line: string) => void,
): Promise<ReportRun> => {
  const container = createContainer(config);
  try {
    const out = options.out ?? join(config.JOURNEY_DATA_DIR, 'reports');
    const publisher = options.dryRun
      ? new DryRunReportPublisher(out, config.SLACK_REPORT_CHANNEL)
      : reportPublisherOf(config);
    const run = await funnelReportOf(config, container, publisher, options.out).run(options.date, {
      ...(options.force ? { force: true } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
    });
    if (run.kind === 'already-reported') {
      print(
        `${options.date} was already reported (${stageCounts(run.recorded.stages)}); nothing sent. Add --force to send it again.`,
      );
      return run;
    }
    print(`${options.date} (${config.JOURNEY_REPORT_TZ}): ${stageCounts(run.report.recorded.stages)}`);
    print(
      run.kind === 'dry-run'
        ? `dry run: PDFs and Slack payloads written to ${out}; nothing recorded or posted`
        : run.kind === 'resumed'
          ? `was recorded but not completely posted (a reporter stopped while posting); posted what was missing to ${config.SLACK_REPORT_CHANNEL}`
          : config.SLACK_BOT_TOKEN === undefined
            ? `recorded; Slack is not configured (SLACK_BOT_TOKEN unset), so the PDFs and payloads are in ${out}`
            : `recorded and posted to ${config.SLACK_REPORT_CHANNEL}${options.out ? `; PDFs in ${options.out}` : ''}`,
    );
    return run;
  } finally {
    await container.unbindAllAsync();
  }
};

const stageCounts = (stages: Record<keyof typeof stageTitles, { count: number }>): string =>
  Object.entries(stages)
    .map(([stage, s]) => `${stageTitles[stage as keyof typeof stageTitles].toLowerCase()} ${s.count}`)
    .join(', ');
