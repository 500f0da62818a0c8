import { ErrorCode } from '@slack/web-api';
import type { DeliveryFailure } from '../../application/ports/notifier.ts';

const TOKEN_HINT =
  'set SLACK_BOT_TOKEN to a valid bot token (xoxb-…) of an installed app with chat:write and channels:history';

/** What to fix, for each Slack error that retrying will not cure. */
const permanentHints: Record<string, (channel: string) => string> = {
  channel_not_found: (c) =>
    `channel ${c} does not exist or the bot cannot see it; set SLACK_ALERT_CHANNEL (or SLACK_CHANNEL_SIGNUP/DEPLOY/ERROR) to an existing channel`,
  not_in_channel: (c) => `the bot is not a member of ${c}; invite it there (/invite @your-bot)`,
  is_archived: (c) => `channel ${c} is archived; unarchive it or choose another channel`,
  invalid_auth: () => `Slack rejected the token (invalid_auth); ${TOKEN_HINT}`,
  not_authed: () => `no token reached Slack (not_authed); ${TOKEN_HINT}`,
  account_inactive: () => `the token's app or user is deactivated (account_inactive); ${TOKEN_HINT}`,
  token_revoked: () => `the token was revoked (token_revoked); ${TOKEN_HINT}`,
  missing_scope: () =>
    'the token lacks a scope; add chat:write and channels:history (groups:history for private channels)',
};

const transientPlatformErrors = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

/** A WebClient error as the port's failure: rate limited, worth retrying, or needing a fix. */
export const slackFailure = (error: unknown, channel: string): DeliveryFailure => {
  const e = error as {
    code?: unknown;
    retryAfter?: number;
    statusCode?: number;
    data?: { error?: string };
    message?: string;
  };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return { kind: 'rate-limited', retryAfterMs: Math.max(0, (e.retryAfter ?? 1) * 1000) };
    case ErrorCode.HTTPError:
      return (e.statusCode ?? 500) >= 500 || e.statusCode === 408
        ? { kind: 'transient', reason: `Slack answered HTTP ${e.statusCode}` }
        : {
            kind: 'permanent',
            code: `http_${e.statusCode}`,
            reason: `Slack answered HTTP ${e.statusCode}; check SLACK_API_URL`,
          };
    case ErrorCode.RequestError:
      return { kind: 'transient', reason: `Slack could not be reached (${e.message ?? 'network error'})` };
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      if (code === 'ratelimited') return { kind: 'rate-limited', retryAfterMs: 1_000 };
      if (transientPlatformErrors.has(code)) return { kind: 'transient', reason: `Slack answered ${code}` };
      const hint = permanentHints[code];
      return {
        kind: 'permanent',
        code,
        reason: hint
          ? `${code}: ${hint(channel)}`
          : `${code}: see https://api.slack.com/methods/chat.postMessage#errors`,
      };
    }
    default:
      return { kind: 'transient', reason: `Slack call failed (${e.message ?? String(error)})` };
  }
};
