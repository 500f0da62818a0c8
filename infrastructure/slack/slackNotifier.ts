import { type KnownBlock, LogLevel, WebClient } from '@slack/web-api';
import type { AlertMessage, LookupResult, Notifier, PostResult } from '../../application/ports/notifier.ts';
import { keepAliveFetch } from '../http/keepAliveFetch.ts';
import { slackBlocks } from './slackBlocks.ts';
import { slackFailure } from './slackFailure.ts';

export type SlackNotifierOptions = {
  readonly token: string;
  /** SLACK_API_URL; Slack's own when unset */
  readonly apiUrl?: string;
  /** where links to a user's journey point */
  readonly publicUrl: string;
  /** per call; a hung call counts as a network error and is retried (default 10 s) */
  readonly timeoutMs?: number;
};

export const ALERT_EVENT_TYPE = 'journey_alert';
const LOOKUP_PAGES = 10;
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

type Message = { ts?: string; metadata?: { event_type?: string; event_payload?: { key?: unknown } } };

/**
 * Slack through the official WebClient, its own retries off: the alerter owns backoff and Retry-After,
 * keeps attempts across restarts and looks a key up before posting again, which blind in-process
 * retries cannot. Each message carries its key as metadata.
 */
export class SlackNotifier implements Notifier {
  private readonly client: WebClient;
  private readonly channelIds = new Map<string, string>();

  constructor(private readonly options: SlackNotifierOptions) {
    this.client = new WebClient(options.token, {
      ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: options.timeoutMs ?? 10_000,
      logLevel: LogLevel.ERROR,
      fetch: keepAliveFetch(),
    });
  }

  /** who we post as, for the start-up log line; a failure says what to fix */
  async identity(): Promise<{ ok: true; who: string } | { ok: false; reason: string }> {
    try {
      const auth = await this.client.auth.test();
      return { ok: true, who: `${auth.user ?? auth.user_id ?? '?'} in ${auth.team ?? auth.team_id ?? '?'}` };
    } catch (error) {
      const failure = slackFailure(error, '-');
      return { ok: false, reason: failure.kind === 'rate-limited' ? 'rate limited' : failure.reason };
    }
  }

  async post(message: AlertMessage): Promise<PostResult> {
    const { text, blocks } = slackBlocks(message, this.options.publicUrl);
    try {
      const res = await this.client.chat.postMessage({
        channel: message.channel,
        text,
        // built to Block Kit's shapes in slackBlocks.ts; typed loosely there to stay readable
        blocks: blocks as unknown as KnownBlock[],
        ...(message.threadTs === undefined ? {} : { thread_ts: message.threadTs }),
        metadata: { event_type: ALERT_EVENT_TYPE, event_payload: { key: message.key } },
        unfurl_links: false,
        unfurl_media: false,
      });
      if (res.channel) this.channelIds.set(message.channel, res.channel);
      return { kind: 'posted', channel: res.channel ?? message.channel, ts: res.ts ?? '' };
    } catch (error) {
      return slackFailure(error, message.channel);
    }
  }

  /** a plain-text message carrying `key` like an alert's, so `find` spots it after a crash (automations) */
  async postText(message: { channel: string; text: string; key: string }): Promise<PostResult> {
    try {
      const res = await this.client.chat.postMessage({
        channel: message.channel,
        text: message.text,
        metadata: { event_type: ALERT_EVENT_TYPE, event_payload: { key: message.key } },
        unfurl_links: false,
        unfurl_media: false,
      });
      if (res.channel) this.channelIds.set(message.channel, res.channel);
      return { kind: 'posted', channel: res.channel ?? message.channel, ts: res.ts ?? '' };
    } catch (error) {
      return slackFailure(error, message.channel);
    }
  }

  async find(query: { channel: string; key: string; since: string; threadTs?: string }): Promise<LookupResult> {
    try {
      const channel = await this.channelId(query.channel);
      if (channel === undefined) return { kind: 'absent' };
      const oldest = (Date.parse(query.since) / 1000).toFixed(6);
      let cursor: string | undefined;
      for (let page = 0; page < LOOKUP_PAGES; page++) {
        const args = { channel, oldest, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) };
        const res = query.threadTs
          ? await this.client.conversations.replies({ ...args, ts: query.threadTs })
          : await this.client.conversations.history(args);
        const hit = ((res.messages ?? []) as Message[]).find(
          (m) => m.metadata?.event_type === ALERT_EVENT_TYPE && m.metadata.event_payload?.key === query.key,
        );
        if (hit?.ts) return { kind: 'found', channel, ts: hit.ts };
        cursor = res.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      return { kind: 'absent' };
    } catch (error) {
      return slackFailure(error, query.channel);
    }
  }

  /** history needs an id; a `#name` is resolved once through conversations.list */
  private async channelId(channel: string): Promise<string | undefined> {
    if (CHANNEL_ID.test(channel)) return channel;
    const known = this.channelIds.get(channel);
    if (known) return known;
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
      if (hit?.id) {
        this.channelIds.set(channel, hit.id);
        return hit.id;
      }
      cursor = res.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return undefined;
  }
}
