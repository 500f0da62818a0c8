import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { LogLevel, WebClient } from '@slack/web-api';
import type {
  FunnelReport,
  PublishOptions,
  RenderedDocument,
  ReportPublisher,
} from '../../application/ports/funnelReport.ts';
import { UnavailableError } from '../../domain/errors/journeyError.ts';
import type { Stage } from '../../domain/stage/stage.ts';
import { reportSlackPayloads, type StageSlackPayload } from './reportMessages.ts';
import { slackFailure } from './slackFailure.ts';

export type SlackReportPublisherOptions = {
  readonly token: string;
  /** SLACK_API_URL; Slack's own when unset */
  readonly apiUrl?: string;
  /** SLACK_REPORT_CHANNEL: a #name or an id */
  readonly channel: string;
  readonly timeoutMs?: number;
  /** how long to wait for Slack to share an uploaded file before giving up (default 10 s) */
  readonly shareWaitMs?: number;
};

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
type Shares = { public?: Record<string, { ts?: string }[]>; private?: Record<string, { ts?: string }[]> };

/**
 * Posts a report: per stage the PDF through the current upload flow, then one threaded reply per user.
 * Unlike the alerter, the WebClient's own retries stay on: a report is sent once, from one process, so
 * waiting out a 429 is right.
 */
export class SlackReportPublisher implements ReportPublisher {
  private readonly client: WebClient;
  private resolvedChannel: string | undefined;

  constructor(private readonly options: SlackReportPublisherOptions) {
    this.client = new WebClient(options.token, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      retryConfig: { retries: 3, factor: 2, minTimeout: 500 },
      timeout: options.timeoutMs ?? 30_000,
      logLevel: LogLevel.ERROR,
    });
  }

  async check(): Promise<void> {
    await this.step('check the token', () => this.client.auth.test());
    this.resolvedChannel = await this.step('look up the channel', () => this.channelId());
  }

  async publish(
    report: FunnelReport,
    documents: ReadonlyMap<Stage, RenderedDocument>,
    options: PublishOptions = {},
  ): Promise<void> {
    const channelId = this.resolvedChannel ?? (await this.step('look up the channel', () => this.channelId()));
    const posted = options.resume
      ? await this.stagesPosted(channelId, options.resume.since)
      : new Map<string, string>();
    for (const payload of reportSlackPayloads(report, this.options.channel)) {
      const pdf = documents.get(payload.stage);
      if (!pdf) throw new Error(`no PDF was rendered for stage ${payload.stage}`);
      const earlier = posted.get(payload.file.filename);
      if (earlier === undefined) options.beforePost?.();
      const ts = earlier ?? (await this.postStage(channelId, payload, pdf));
      // replies go out one after another, so those in the thread are the first ones
      const replied = earlier === undefined ? 0 : await this.repliesIn(channelId, earlier);
      for (const text of payload.replies.slice(replied)) {
        options.beforePost?.();
        await this.step(`reply in the ${payload.stage} thread`, () =>
          this.client.chat.postMessage({ channel: channelId, thread_ts: ts, text, unfurl_links: false, mrkdwn: true }),
        );
      }
    }
  }

  /** the report PDFs shared in the channel since `since` (ISO-8601), by file name, with their messages' ts */
  private async stagesPosted(channelId: string, since: string): Promise<Map<string, string>> {
    const posted = new Map<string, string>();
    // a minute early: Slack's clock and ours need not agree, and nothing of this report is older than its record
    const oldest = String((Date.parse(since) - 60_000) / 1000);
    let cursor: string | undefined;
    do {
      const page = await this.step('look up what was posted already', () =>
        this.client.conversations.history({ channel: channelId, oldest, limit: 200, ...(cursor ? { cursor } : {}) }),
      );
      for (const message of page.messages ?? [])
        for (const file of message.files ?? [])
          if (file.name && message.ts && !posted.has(file.name)) posted.set(file.name, message.ts);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return posted;
  }

  /** how many replies a stage's thread has */
  private async repliesIn(channelId: string, ts: string): Promise<number> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await this.step('look up the replies posted already', () =>
        this.client.conversations.replies({ channel: channelId, ts, limit: 200, ...(cursor ? { cursor } : {}) }),
      );
      count += (page.messages ?? []).filter((m) => m.ts !== ts).length;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return count;
  }

  private async postStage(channelId: string, payload: StageSlackPayload, pdf: RenderedDocument): Promise<string> {
    const upload = await this.step(`get an upload URL for ${payload.file.filename}`, () =>
      this.client.files.getUploadURLExternal({ filename: payload.file.filename, length: pdf.byteLength }),
    );
    if (!upload.upload_url || !upload.file_id) throw new UnavailableError('Slack gave no upload URL; try again');
    // streamed from the file: files.uploadV2 would read the whole PDF into memory first
    const sent = await fetch(upload.upload_url, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', 'content-length': String(pdf.byteLength) },
      body: Readable.toWeb(createReadStream(pdf.path)) as ReadableStream<Uint8Array>,
      duplex: 'half',
    } as RequestInit);
    if (!sent.ok) {
      throw new UnavailableError(
        `Slack refused the bytes of ${payload.file.filename} (HTTP ${sent.status}); try again`,
      );
    }
    const fileId = upload.file_id;
    const done = await this.step(`share ${payload.file.filename}`, () =>
      this.client.files.completeUploadExternal({
        files: [{ id: fileId, title: payload.file.title }],
        channel_id: channelId,
        initial_comment: payload.text,
      }),
    );
    return this.shareTs((done.files?.[0]?.shares ?? {}) as Shares, channelId, fileId);
  }

  /** the ts of the message sharing the file: in the answer, or (Slack shares asynchronously) from files.info */
  private async shareTs(shares: Shares, channelId: string, fileId: string): Promise<string> {
    const deadline = Date.now() + (this.options.shareWaitMs ?? 10_000);
    for (let current = shares; ; ) {
      const ts = (current.public?.[channelId] ?? current.private?.[channelId])?.[0]?.ts;
      if (ts) return ts;
      if (Date.now() > deadline) {
        throw new UnavailableError(`Slack did not share file ${fileId} in ${this.options.channel} in time; try again`);
      }
      await new Promise((r) => setTimeout(r, 500));
      const info = await this.step('look up the shared file', () => this.client.files.info({ file: fileId }));
      current = (info.file?.shares ?? {}) as Shares;
    }
  }

  private async channelId(): Promise<string> {
    const { channel } = this.options;
    if (CHANNEL_ID.test(channel)) return channel;
    const name = channel.replace(/^#/, '');
    let cursor: string | undefined;
    do {
      const res = await this.client.conversations.list({
        types: 'public_channel,private_channel',
        limit: 1000,
        exclude_archived: true,
        ...(cursor ? { cursor } : {}),
      });
      const hit = res.channels?.find((c) => c.name === name);
      if (hit?.id) return hit.id;
      cursor = res.response_metadata?.next_cursor || undefined;
    } while (cursor);
    throw new UnavailableError(
      `channel ${channel} does not exist or the bot cannot see it; set SLACK_REPORT_CHANNEL to an existing channel and invite the bot`,
    );
  }

  /** runs one Slack call; a failure says which step and what to fix */
  private async step<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof UnavailableError) throw error;
      const failure = slackFailure(error, this.options.channel);
      const reason =
        failure.kind === 'rate-limited'
          ? `rate limited (retry after ${failure.retryAfterMs} ms)`
          : failure.reason.replace(
              'SLACK_ALERT_CHANNEL (or SLACK_CHANNEL_SIGNUP/DEPLOY/ERROR)',
              'SLACK_REPORT_CHANNEL',
            );
      throw new UnavailableError(`the funnel report could not ${what} in Slack: ${reason}`, { cause: error });
    }
  }
}
