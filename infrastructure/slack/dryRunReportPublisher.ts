import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FunnelReport, ReportPublisher } from '../../application/ports/funnelReport.ts';
import type { Stage } from '../../domain/stage/stage.ts';
import { reportIfStorageFailure } from '../sqlite/storageFailureListeners.ts';
import { reportSlackPayloads } from './reportMessages.ts';

/** `report run --dry-run`: the PDFs and what would be posted to Slack, as files in a directory. */
export class DryRunReportPublisher implements ReportPublisher {
  readonly written: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly channel: string,
  ) {}

  async check(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  async publish(report: FunnelReport, documents: ReadonlyMap<Stage, Uint8Array>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const payloads = reportSlackPayloads(report, this.channel);
    for (const p of payloads) {
      const pdf = documents.get(p.stage);
      if (pdf) await this.write(p.file.filename, pdf);
    }
    await this.write(
      `slack-${report.recorded.date}.json`,
      `${JSON.stringify({ recorded: report.recorded, messages: payloads }, null, 2)}\n`,
    );
  }

  private async write(name: string, content: Uint8Array | string): Promise<void> {
    const file = join(this.dir, name);
    try {
      await writeFile(file, content);
    } catch (error) {
      // a full disk stops the reporter's process as it stops the others (ENOSPC, EROFS)
      reportIfStorageFailure(error, file);
      throw error;
    }
    this.written.push(file);
  }
}
