import type { AlertContent, AlertKind } from '../../domain/alerts/alert.ts';

/** The port the alerter posts through; the Slack adapter implements it. */
export type AlertMessage = {
  /** the alert key, attached to the message so it can be found again */
  readonly key: string;
  readonly kind: AlertKind;
  readonly userId: string;
  readonly content: AlertContent;
  readonly channel: string;
  /** a reply in this thread */
  readonly threadTs?: string;
};

export type DeliveryFailure =
  | { readonly kind: 'rate-limited'; readonly retryAfterMs: number }
  /** 5xx, network errors, timeouts: worth retrying */
  | { readonly kind: 'transient'; readonly reason: string }
  /** retrying will not help until someone fixes what `reason` says */
  | { readonly kind: 'permanent'; readonly code: string; readonly reason: string };

export type PostResult = { readonly kind: 'posted'; readonly channel: string; readonly ts: string } | DeliveryFailure;

export type LookupResult =
  | { readonly kind: 'found'; readonly channel: string; readonly ts: string }
  | { readonly kind: 'absent' }
  | DeliveryFailure;

export interface Notifier {
  post(message: AlertMessage): Promise<PostResult>;
  /** the message carrying `key` in `channel` (or in the thread) posted at or after `since` (ISO), if any */
  find(query: {
    readonly channel: string;
    readonly key: string;
    readonly since: string;
    readonly threadTs?: string;
  }): Promise<LookupResult>;
}

export const NotifierToken = Symbol.for('journey.Notifier');
