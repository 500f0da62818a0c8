import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FunnelReport, RenderedDocument, ReportPublisher } from '../../application/ports/funnelReport.ts';
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

  async publish(report: FunnelReport, documents: ReadonlyMap<Stage, RenderedDocument>): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const payloads = reportSlackPayloads(report, this.channel);
    for (const p of payloads) {
      const pdf = documents.get(p.stage);
      if (pdf) await this.copy(pdf.path, p.file.filename);
    }
    await this.write(
      `slack-${report.recorded.date}.json`,
      `${JSON.stringify({ recorded: report.recorded, messages: payloads }, null, 2)}\n`,
    );
  }

  /** a PDF already in the directory (rendered there with `--out`) stays as it is */
  private async copy(from: string, name: string): Promise<void> {
    const file = join(this.dir, name);
    if (resolve(from) !== resolve(file)) await this.io(file, () => copyFile(from, file));
    this.written.push(file);
  }

  private async write(name: string, content: string): Promise<void> {
    const file = join(this.dir, name);
    await this.io(file, () => writeFile(file, content));
    this.written.push(file);
  }

  private async io(file: string, call: () => Promise<void>): Promise<void> {
    try {
      await call();
    } catch (error) {
      // a full disk stops the reporter's process as it stops the others (ENOSPC, EROFS)
      reportIfStorageFailure(error, file);
      throw error;
    }
  }
}
