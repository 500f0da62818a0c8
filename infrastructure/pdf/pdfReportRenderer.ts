import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  FunnelFigures,
  RenderedDocument,
  ReportDocuments,
  ReportRenderer,
  ReportUser,
} from '../../application/ports/funnelReport.ts';
import { type Stage, stages } from '../../domain/stage/stage.ts';
import { reportIfStorageFailure } from '../sqlite/storageFailureListeners.ts';
import { StagePdf } from './stagePdf.ts';

export type PdfReportRendererOptions = {
  /** keep the finished PDFs in this directory (`report run --out`); otherwise they live in a temporary one until discarded */
  readonly keepIn?: string;
};

/** the file name of a stage's PDF, as Slack and the dry run show it */
export const pdfFileName = (date: string, stage: Stage): string => `funnel-${date}-${stage}.pdf`;

/**
 * Each stage of a daily report as an A4 PDF (see stagePdf.ts), all four written at once as the
 * users are read, each straight to its file: nothing of a document stays in memory but the page
 * being laid out.
 */
export class PdfReportRenderer implements ReportRenderer {
  constructor(private readonly options: PdfReportRendererOptions = {}) {}

  start(figures: FunnelFigures): ReportDocuments {
    const { keepIn } = this.options;
    const dir = keepIn ?? mkdtempSync(join(tmpdir(), 'journey-report-'));
    try {
      if (keepIn !== undefined) mkdirSync(keepIn, { recursive: true });
    } catch (error) {
      reportIfStorageFailure(error, keepIn ?? dir);
      throw error;
    }
    const pdfs = new Map<Stage, StagePdf>();
    let finished = false;
    const discard = async () => {
      for (const pdf of pdfs.values()) pdf.abandon();
      if (keepIn === undefined) await rm(dir, { recursive: true, force: true });
      else if (!finished) {
        await Promise.all(stages.map((s) => rm(join(dir, pdfFileName(figures.recorded.date, s)), { force: true })));
      }
    };
    try {
      for (const { stage } of figures.stages) {
        pdfs.set(stage, new StagePdf(figures, stage, join(dir, pdfFileName(figures.recorded.date, stage))));
      }
    } catch (error) {
      void discard();
      throw error;
    }
    return {
      add(stage: Stage, user: ReportUser): void {
        const pdf = pdfs.get(stage);
        if (!pdf) throw new Error(`the report for ${figures.recorded.date} has no stage ${stage}`);
        pdf.add(user);
      },
      async end(): Promise<ReadonlyMap<Stage, RenderedDocument>> {
        const documents = new Map<Stage, RenderedDocument>();
        for (const [stage, pdf] of pdfs) documents.set(stage, await pdf.end());
        finished = true;
        return documents;
      },
      discard,
    };
  }
}
