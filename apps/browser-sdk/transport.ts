/** What became of one request: stored, worth retrying later, or never going to be accepted. */
export type SendOutcome = 'ok' | 'retry' | 'drop';

export type Transport = {
  send(body: string): Promise<SendOutcome>;
  /** Fire-and-forget while the page goes away; false if the browser refused to queue it. */
  beacon(body: string): boolean;
};

/** 408 and 429 are the 4xx answers that mean "later", not "never". */
export const outcomeOfStatus = (status: number): SendOutcome =>
  status >= 200 && status < 300 ? 'ok' : status === 408 || status === 429 || status >= 500 ? 'retry' : 'drop';

/**
 * text/plain with the write key in the body: a CORS "simple request", so no preflight per
 * batch, and the same body works for sendBeacon, which cannot set headers.
 */
export const fetchTransport = (url: string): Transport => ({
  async send(body) {
    try {
      const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
      return outcomeOfStatus(response.status);
    } catch {
      return 'retry';
    }
  },
  beacon(body) {
    try {
      if (typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(url, body)) return true;
      void fetch(url, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } }).catch(
        () => undefined,
      );
      return true;
    } catch {
      return false;
    }
  },
});
